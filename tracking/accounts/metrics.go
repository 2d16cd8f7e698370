package accounts

import "github.com/prometheus/client_golang/prometheus"

var descRefused = prometheus.NewDesc("siaga112_auth_refused_total",
	"Refused credentials by kind (login, bearer, mqtt_gateway) and reason (wrong, throttled).", []string{"kind", "reason"}, nil)

// Describe and Collect make the service a prometheus.Collector.
func (s *Service) Describe(ch chan<- *prometheus.Desc) { ch <- descRefused }

func (s *Service) Collect(ch chan<- prometheus.Metric) {
	for _, c := range []struct {
		kind, reason string
		n            uint64
	}{
		{"login", "wrong", s.counts.loginFailed.Load()},
		{"login", "throttled", s.counts.loginThrottled.Load()},
		{"bearer", "wrong", s.counts.bearerFailed.Load()},
		{"bearer", "throttled", s.counts.bearerThrottled.Load()},
		{"mqtt_gateway", "wrong", s.counts.gatewayFailed.Load()},
		{"mqtt_gateway", "throttled", s.counts.gatewayThrottled.Load()},
	} {
		ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(c.n), c.kind, c.reason)
	}
}
