package httpingest

import (
	"net"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/net/netutil"
)

var _ prometheus.Collector = (*Ingest)(nil)

// MaxOsmAndConns bounds the OsmAnd listener's open connections, so a flood
// of idle connections cannot exhaust descriptors.
const MaxOsmAndConns = 4096

// ListenOsmAnd opens the OsmAnd listener with at most maxConns open
// connections (MaxOsmAndConns when ≤ 0); serve it with NewOsmAndServer.
func ListenOsmAnd(addr string, maxConns int) (net.Listener, error) {
	if maxConns <= 0 {
		maxConns = MaxOsmAndConns
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	return netutil.LimitListener(ln, maxConns), nil
}
