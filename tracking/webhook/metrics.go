package webhook

import "github.com/prometheus/client_golang/prometheus"

var (
	descPublished = prometheus.NewDesc("siaga112_webhook_events_total", "Events accepted for the webhooks.", nil, nil)
	descRefused   = prometheus.NewDesc("siaga112_webhook_events_refused_total", "Events refused because the webhook queue was full (alarm on any increase).", nil, nil)
	descQueued    = prometheus.NewDesc("siaga112_webhook_events_queued", "Events waiting to be written to the outbox.", nil, nil)
	descEnqueued  = prometheus.NewDesc("siaga112_webhook_deliveries_enqueued_total", "Deliveries written to the outbox.", nil, nil)
	descAttempts  = prometheus.NewDesc("siaga112_webhook_attempts_total", "Delivery attempts.", nil, nil)
	descDelivered = prometheus.NewDesc("siaga112_webhook_delivered_total", "Deliveries answered with 2xx.", nil, nil)
	descFailed    = prometheus.NewDesc("siaga112_webhook_failed_total", "Deliveries given up after a day of retries.", nil, nil)
	descBusDrops  = prometheus.NewDesc("siaga112_webhook_bus_drops_total", "Times the webhooks fell behind the bus and were dropped by it (events lost; alarm on any increase).", nil, nil)
)

// Describe implements prometheus.Collector.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descPublished, descRefused, descQueued, descEnqueued, descAttempts, descDelivered, descFailed, descBusDrops} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *Service) Collect(ch chan<- prometheus.Metric) {
	st := s.Stats()
	ch <- prometheus.MustNewConstMetric(descPublished, prometheus.CounterValue, float64(st.Published))
	ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(st.Refused))
	ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(st.Queued))
	ch <- prometheus.MustNewConstMetric(descEnqueued, prometheus.CounterValue, float64(st.Enqueued))
	ch <- prometheus.MustNewConstMetric(descAttempts, prometheus.CounterValue, float64(st.Attempts))
	ch <- prometheus.MustNewConstMetric(descDelivered, prometheus.CounterValue, float64(st.Delivered))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.CounterValue, float64(st.Failed))
	ch <- prometheus.MustNewConstMetric(descBusDrops, prometheus.CounterValue, float64(st.BusDrops))
}
