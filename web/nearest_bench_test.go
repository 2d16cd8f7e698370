package web

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// BenchmarkNearestVsBare is issue 24's yardstick for the straight-line
// nearest: GET /api/units/nearest through the whole stack (metrics, request
// log, security headers and CSP, the gzip check, bearer token, routing,
// the search over 10,000 units, encoding) against a bare net/http handler
// answering a constant body, both served from this process to the same
// minimal keep-alive client (one TCP connection each). The two alternate
// request by request, so a busy machine slows both alike. It reports each
// side's p50 and p99 and their ratios over the whole run, and the lowest
// and highest p50 ratio of its ten consecutive slices.
//
//	go test -run '^$' -bench NearestVsBare -benchtime 20000x ./web
func BenchmarkNearestVsBare(b *testing.B) {
	s, tok := nearestStack(b, 10000)
	body := appendNearestJSON(nil, nil)
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(body)
	}))
	defer bare.Close()
	rng := rand.New(rand.NewPCG(1, 1))
	reqs := make([][]byte, 1024)
	for i := range reqs {
		reqs[i] = []byte(fmt.Sprintf("GET /api/units/nearest?lat=%.6f&lon=%.6f&type=%s&limit=5 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n\r\n",
			-6.20+rng.Float64()*0.15, 106.05+rng.Float64()*0.20, tracking.UnitTypes[i%len(tracking.UnitTypes)], tok))
	}
	nearest, baseline := dialRaw(b, s.url), dialRaw(b, bare.URL)
	defer nearest.Close()
	defer baseline.Close()
	for i := range 2000 { // warm-up: pools, caches, the connection
		nearest.roundTrip(b, reqs[i%len(reqs)])
		baseline.roundTrip(b, reqs[i%len(reqs)])
	}
	var n, c []time.Duration
	i := 0
	for b.Loop() {
		q := reqs[i%len(reqs)]
		if i%2 == 0 { // who goes first alternates too
			n = append(n, nearest.roundTrip(b, q))
			c = append(c, baseline.roundTrip(b, q))
		} else {
			c = append(c, baseline.roundTrip(b, q))
			n = append(n, nearest.roundTrip(b, q))
		}
		i++
	}
	lo, hi := 1e9, 0.0
	if len(n) >= 100 {
		for k := range 10 {
			from, to := k*len(n)/10, (k+1)*len(n)/10
			r := float64(pct(n[from:to], 50)) / float64(pct(c[from:to], 50))
			lo, hi = min(lo, r), max(hi, r)
		}
		b.ReportMetric(lo, "ratio-p50-min")
		b.ReportMetric(hi, "ratio-p50-max")
	}
	np50, np99, cp50, cp99 := pct(n, 50), pct(n, 99), pct(c, 50), pct(c, 99)
	b.ReportMetric(float64(np50.Nanoseconds())/1e3, "nearest-p50-µs")
	b.ReportMetric(float64(np99.Nanoseconds())/1e3, "nearest-p99-µs")
	b.ReportMetric(float64(cp50.Nanoseconds())/1e3, "bare-p50-µs")
	b.ReportMetric(float64(cp99.Nanoseconds())/1e3, "bare-p99-µs")
	b.ReportMetric(float64(np50)/float64(cp50), "ratio-p50")
	b.ReportMetric(float64(np99)/float64(cp99), "ratio-p99")
}

// pct is the nearest-rank percentile of ds (sorted on a copy).
func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[max(0, (len(s)*p+99)/100-1)]
}

// rawConn writes requests and reads answers on one keep-alive connection,
// with as little client as an HTTP/1.1 exchange allows.
type rawConn struct {
	net.Conn
	br *bufio.Reader
}

func dialRaw(b *testing.B, base string) *rawConn {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	return &rawConn{conn, bufio.NewReader(conn)}
}

func (c *rawConn) roundTrip(b *testing.B, req []byte) time.Duration {
	start := time.Now()
	if _, err := c.Write(req); err != nil {
		b.Fatal(err)
	}
	resp, err := http.ReadResponse(c.br, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	d := time.Since(start)
	if resp.StatusCode != 200 {
		b.Fatal(resp.Status)
	}
	return d
}
