package postgres

import "github.com/prometheus/client_golang/prometheus"

var (
	descUp        = prometheus.NewDesc("siaga112_db_up", "1 while the database takes writes; 0 during an outage.", nil, nil)
	descQueued    = prometheus.NewDesc("siaga112_db_queued_writes", "Writes held in memory for an unreachable database.", nil, nil)
	descQueuedTot = prometheus.NewDesc("siaga112_db_queued_writes_total", "Writes that had to wait for the database.", nil, nil)
	descFailed    = prometheus.NewDesc("siaga112_db_write_failures_total", "Changes refused before reaching the database (queue full).", nil, nil)
	descDead      = prometheus.NewDesc("siaga112_db_dead_letters_total", "Changes the database refused, kept in dead_letters (alarm: any is a defect).", nil, nil)
	descBuffered  = prometheus.NewDesc("siaga112_db_positions_buffered", "Fixes waiting to be written to unit_positions.", nil, nil)
	descWritten   = prometheus.NewDesc("siaga112_db_positions_written_total", "Fixes written to unit_positions.", nil, nil)
	descDropped   = prometheus.NewDesc("siaga112_db_positions_dropped_total", "Fixes dropped from the history (an outage longer than the buffer holds).", nil, nil)
	descFlushFail = prometheus.NewDesc("siaga112_db_position_flush_failures_total", "Position flushes that failed.", nil, nil)
	descPings     = prometheus.NewDesc("siaga112_db_pings_total", "Pings of the database (one a second, shared by every /healthz).", nil, nil)
	descPingRTT   = prometheus.NewDesc("siaga112_db_ping_seconds", "How long the last answered ping took.", nil, nil)
	descTimeout   = prometheus.NewDesc("siaga112_db_write_timeout_seconds", "How long a write may take now (grows with the measured round trip).", nil, nil)
	descRetried   = prometheus.NewDesc("siaga112_db_writes_found_written_total", "Changes a retry found already written (committed after the writer gave up on them), not written twice.", nil, nil)
)

// Describe implements prometheus.Collector.
func (s *Store) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descQueued, descQueuedTot, descFailed, descDead, descBuffered, descWritten, descDropped, descFlushFail, descPings, descPingRTT, descTimeout, descRetried} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (s *Store) Collect(ch chan<- prometheus.Metric) {
	up := 1.0
	if s.down.Load() {
		up = 0
	}
	s.pmu.Lock()
	buffered := len(s.positions)
	s.pmu.Unlock()
	c := &s.counters
	ch <- prometheus.MustNewConstMetric(descUp, prometheus.GaugeValue, up)
	ch <- prometheus.MustNewConstMetric(descQueued, prometheus.GaugeValue, float64(s.Queued()))
	ch <- prometheus.MustNewConstMetric(descQueuedTot, prometheus.CounterValue, float64(c.queuedTotal.Load()))
	ch <- prometheus.MustNewConstMetric(descFailed, prometheus.CounterValue, float64(c.writeFailures.Load()))
	ch <- prometheus.MustNewConstMetric(descDead, prometheus.CounterValue, float64(c.deadLetters.Load()))
	ch <- prometheus.MustNewConstMetric(descBuffered, prometheus.GaugeValue, float64(buffered))
	ch <- prometheus.MustNewConstMetric(descWritten, prometheus.CounterValue, float64(c.positionsWritten.Load()))
	ch <- prometheus.MustNewConstMetric(descDropped, prometheus.CounterValue, float64(c.positionsDropped.Load()))
	ch <- prometheus.MustNewConstMetric(descFlushFail, prometheus.CounterValue, float64(c.flushFailures.Load()))
	s.health.mu.Lock()
	rtt := s.health.rtt
	s.health.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(descPings, prometheus.CounterValue, float64(c.pings.Load()))
	ch <- prometheus.MustNewConstMetric(descPingRTT, prometheus.GaugeValue, rtt.Seconds())
	ch <- prometheus.MustNewConstMetric(descTimeout, prometheus.GaugeValue, s.writeTimeout().Seconds())
	ch <- prometheus.MustNewConstMetric(descRetried, prometheus.CounterValue, float64(c.retriedWritten.Load()))
}
