package httpingest

import (
	"log/slog"
	"net"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking/internal/connlimit"
	"siaga112/tracking/internal/lograte"
)

var _ prometheus.Collector = (*Ingest)(nil)

// MaxOsmAndConns bounds the OsmAnd listener's open connections; the server
// caps it further at its share of the open-file limit (connlimit.OsmAnd),
// so a flood of idle connections here never takes the descriptors the MQTT
// broker or the web port need.
const MaxOsmAndConns = 4096

// DefaultOsmAndConnsPerAddr bounds the connections one address (IPv6: one
// /64) may hold open on the OsmAnd listener: a fleet's trackers behind one
// carrier NAT fit, one flooding host does not take every slot.
const DefaultOsmAndConnsPerAddr = 64

// Listener is the OsmAnd listener: at most maxConns connections open, at
// most perAddr from one address. It is a prometheus.Collector.
type Listener struct {
	*connlimit.Listener
}

// ListenOsmAnd opens the OsmAnd listener (maxConns ≤ 0: MaxOsmAndConns;
// perAddr ≤ 0: DefaultOsmAndConnsPerAddr); serve it with NewOsmAndServer.
// A connection over the per-address cap is closed at once, counted, and
// logged at most every 10 s.
func ListenOsmAnd(addr string, maxConns, perAddr int, log *slog.Logger) (*Listener, error) {
	if maxConns <= 0 {
		maxConns = MaxOsmAndConns
	}
	if perAddr <= 0 {
		perAddr = DefaultOsmAndConnsPerAddr
	}
	if log == nil {
		log = slog.Default()
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	logs := lograte.New(10 * time.Second)
	return &Listener{connlimit.Limit(ln, maxConns, perAddr, func(source string) {
		if held, ok := logs.Allow("addr_cap"); ok {
			log.Warn("OsmAnd connection refused: too many open from one address", "source", source,
				"max_conns_per_addr", perAddr, "suppressed_since_last", held)
		}
	})}, nil
}

var (
	descConns        = prometheus.NewDesc("siaga112_osmand_connections", "Connections the OsmAnd listener holds now.", nil, nil)
	descConnsRefused = prometheus.NewDesc("siaga112_osmand_connections_refused_total", "Connections the OsmAnd listener closed at once: too many open from one address (IPv6: one /64).", nil, nil)
)

// Describe implements prometheus.Collector.
func (l *Listener) Describe(ch chan<- *prometheus.Desc) {
	ch <- descConns
	ch <- descConnsRefused
}

// Collect implements prometheus.Collector.
func (l *Listener) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descConns, prometheus.GaugeValue, float64(l.Open()))
	ch <- prometheus.MustNewConstMetric(descConnsRefused, prometheus.CounterValue, float64(l.Refused()))
}
