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
)

// Describe implements prometheus.Collector.
func (s *Store) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descUp, descQueued, descQueuedTot, descFailed, descDead, descBuffered, descWritten, descDropped, descFlushFail} {
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
}
