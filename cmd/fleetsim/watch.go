package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// watchers connects n clients to the live feed and measures, for every
// unit update they receive, the delay from the fix's time (set by this
// simulator as it publishes) to its arrival: telemetry-to-client latency.
type watchers struct {
	mu      sync.Mutex
	samples []float64 // ms
	updates int
	dropped int // clients the server dropped
	wg      sync.WaitGroup
}

func startWatchers(ctx context.Context, api, token string, n int, log io.Writer) *watchers {
	w := &watchers{}
	url := "ws" + strings.TrimPrefix(api, "http") + "/api/live"
	for range n {
		w.wg.Go(func() {
			opts := &websocket.DialOptions{HTTPHeader: http.Header{}}
			if token != "" {
				opts.HTTPHeader.Set("Authorization", "Bearer "+token)
			}
			c, _, err := websocket.Dial(ctx, url, opts)
			if err != nil {
				fmt.Fprintln(log, "live client:", err)
				return
			}
			defer c.CloseNow()
			c.SetReadLimit(64 << 20)
			for {
				_, b, err := c.Read(ctx)
				if err != nil {
					if ctx.Err() == nil {
						w.mu.Lock()
						w.dropped++
						w.mu.Unlock()
						fmt.Fprintln(log, "live client dropped:", err)
					}
					return
				}
				w.record(b, time.Now())
			}
		})
	}
	return w
}

func (w *watchers) record(b []byte, now time.Time) {
	var m struct {
		Type  string `json:"type"`
		Units []struct {
			Properties struct {
				ReportedAt string `json:"reported_at"`
			} `json:"properties"`
		} `json:"units"`
	}
	if json.Unmarshal(b, &m) != nil || m.Type != "units" {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, u := range m.Units {
		t, err := time.Parse(time.RFC3339Nano, u.Properties.ReportedAt)
		if err != nil {
			continue
		}
		w.updates++
		if len(w.samples) < 5_000_000 {
			w.samples = append(w.samples, float64(now.Sub(t).Microseconds())/1000)
		}
	}
}

func (w *watchers) report(out io.Writer, clients int) {
	w.wg.Wait()
	w.mu.Lock()
	defer w.mu.Unlock()
	slices.Sort(w.samples)
	q := func(p float64) float64 {
		if len(w.samples) == 0 {
			return 0
		}
		return w.samples[min(len(w.samples)-1, int(p*float64(len(w.samples))))]
	}
	fmt.Fprintf(out, "live clients: %d, %d unit updates received, %d dropped by the server; telemetry→client p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, max %.0f ms\n",
		clients, w.updates, w.dropped, q(0.5), q(0.95), q(0.99), q(1))
}

// serverStats reads the server's RSS and goroutines from /metrics.
func serverStats(api, token string) (rssMB float64, goroutines int, err error) {
	req, _ := http.NewRequest(http.MethodGet, api+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) != 2 {
			continue
		}
		v, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "process_resident_memory_bytes":
			rssMB = v / (1 << 20)
		case "go_goroutines":
			goroutines = int(v)
		}
	}
	return rssMB, goroutines, sc.Err()
}
