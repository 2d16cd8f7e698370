package dispatch

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
)

// metrics are the service's latency histograms; the incident gauges are
// computed when scraped.
type metrics struct {
	recommend prometheus.Histogram
	dispatch  prometheus.Histogram
	fallbacks *prometheus.CounterVec // road pairs answered by the detour model
}

// latencyBuckets span a few microseconds (a recommendation from memory)
// to seconds (a dispatch waiting for a slow database).
var latencyBuckets = prometheus.ExponentialBucketsRange(5e-6, 10, 16)

func newMetrics() metrics {
	return metrics{
		recommend: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "siaga112_recommendation_duration_seconds", Buckets: latencyBuckets,
			Help: "Time to rank units for an incident or a nearest query (index walk and routing).",
		}),
		dispatch: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "siaga112_dispatch_duration_seconds", Buckets: latencyBuckets,
			Help: "Time to dispatch units to an incident, including the store's answer.",
		}),
		fallbacks: newFallbacks(),
	}
}

func (s *Service) observeRecommend(d time.Duration) { s.metrics.recommend.Observe(d.Seconds()) }

var (
	descIncidents = prometheus.NewDesc("siaga112_incidents_open",
		"Open incidents.", nil, nil)
	descOverdue = prometheus.NewDesc("siaga112_incidents_overdue",
		"Open incidents past their agency deadline.", nil, nil)
)

// Describe and Collect make the service a prometheus.Collector.
func (s *Service) Describe(ch chan<- *prometheus.Desc) {
	s.metrics.recommend.Describe(ch)
	s.metrics.dispatch.Describe(ch)
	if s.cfg.Roads != nil {
		s.metrics.fallbacks.Describe(ch)
	}
	ch <- descIncidents
	ch <- descOverdue
}

func (s *Service) Collect(ch chan<- prometheus.Metric) {
	s.metrics.recommend.Collect(ch)
	s.metrics.dispatch.Collect(ch)
	if s.cfg.Roads != nil {
		s.metrics.fallbacks.Collect(ch)
	}
	open, overdue := s.countOpen()
	ch <- prometheus.MustNewConstMetric(descIncidents, prometheus.GaugeValue, float64(open))
	ch <- prometheus.MustNewConstMetric(descOverdue, prometheus.GaugeValue, float64(overdue))
}

func (s *Service) countOpen() (open, overdue int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	for _, in := range s.incidents {
		if in.Status != tracking.IncidentOpen {
			continue
		}
		open++
		if in.Overdue(now) {
			overdue++
		}
	}
	return open, overdue
}
