package httpingest

import (
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
)

// Protocols are the protocol label values.
const (
	ProtoOwnTracks = "owntracks_http"
	ProtoOsmAnd    = "osmand"
	ProtoTraccar   = "traccar_json"
)

var protocols = []string{ProtoOwnTracks, ProtoOsmAnd, ProtoTraccar}

// Kinds of accepted message, a label of the accepted counter.
const (
	kindFix        = "fix"
	kindTransition = "transition"
	kindIgnored    = "ignored"
)

var kinds = []string{kindFix, kindTransition, kindIgnored}

var (
	descRequests = prometheus.NewDesc("siaga112_http_ingest_requests_total", "Tracker requests received over HTTP, by protocol.", []string{"protocol"}, nil)
	descAccepted = prometheus.NewDesc("siaga112_http_ingest_accepted_total", "Tracker requests answered 200: fixes and transitions applied, unused OwnTracks types acknowledged.", []string{"protocol", "kind"}, nil)
	descRefused  = prometheus.NewDesc("siaga112_http_ingest_refused_total", "Tracker requests refused, by protocol and reason.", []string{"protocol", "reason"}, nil)
)

// counters is a fixed grid of atomic counters: no map grows with input.
type counters struct {
	requests [3]atomic.Uint64
	accepted [3][3]atomic.Uint64
	refused  [3][]atomic.Uint64
	reasonIx map[Reason]int
}

func newCounters() *counters {
	c := &counters{reasonIx: map[Reason]int{}}
	for i, r := range Reasons {
		c.reasonIx[r] = i
	}
	for p := range c.refused {
		c.refused[p] = make([]atomic.Uint64, len(Reasons))
	}
	return c
}

func protoIx(p string) int {
	for i, q := range protocols {
		if q == p {
			return i
		}
	}
	return 0
}

func kindIx(k string) int {
	for i, q := range kinds {
		if q == k {
			return i
		}
	}
	return 0
}

func (c *counters) refuse(proto string, r Reason) {
	if i, ok := c.reasonIx[r]; ok {
		c.refused[protoIx(proto)][i].Add(1)
	}
}

// Refused returns how many requests of a protocol were refused for reason r.
func (in *Ingest) Refused(proto string, r Reason) uint64 {
	i, ok := in.c.reasonIx[r]
	if !ok {
		return 0
	}
	return in.c.refused[protoIx(proto)][i].Load()
}

// Accepted returns how many requests of a protocol were answered 200.
func (in *Ingest) Accepted(proto string) uint64 {
	var n uint64
	for k := range kinds {
		n += in.c.accepted[protoIx(proto)][k].Load()
	}
	return n
}

// Describe implements prometheus.Collector.
func (in *Ingest) Describe(ch chan<- *prometheus.Desc) {
	ch <- descRequests
	ch <- descAccepted
	ch <- descRefused
}

// Collect implements prometheus.Collector.
func (in *Ingest) Collect(ch chan<- prometheus.Metric) {
	for p, proto := range protocols {
		ch <- prometheus.MustNewConstMetric(descRequests, prometheus.CounterValue, float64(in.c.requests[p].Load()), proto)
		for k, kind := range kinds {
			ch <- prometheus.MustNewConstMetric(descAccepted, prometheus.CounterValue, float64(in.c.accepted[p][k].Load()), proto, kind)
		}
		for i, r := range Reasons {
			ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(in.c.refused[p][i].Load()), proto, string(r))
		}
	}
}
