package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"
)

// callLoad plays the phone edge at rate calls per second until ctx ends:
// for each call the admission question, then its ringing, answered and
// ended events, as Kamailio sends them. It reports the latency of the
// admission and of the events (p50, p99, max) and checks that GET
// /api/calls lists every call.
func callLoad(ctx context.Context, api, token string, rate float64, seed uint64, out io.Writer) error {
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	rng := rand.New(rand.NewPCG(seed, 27))
	run := fmt.Sprintf("fleetsim-%d", time.Now().UnixNano())
	var (
		mu                   sync.Mutex
		admission, events    []time.Duration
		failures             = map[string]int{}
		ids                  []string
		notPersisted, missed int
	)
	fail := func(what string, code int) {
		mu.Lock()
		failures[fmt.Sprintf("%s %d", what, code)]++
		mu.Unlock()
	}
	const admissionRoute, eventsRoute = "GET /api/callers/{number}/admission", "POST /api/calls/events"
	admBefore, _ := routeBuckets(api, token, admissionRoute)
	evBefore, _ := routeBuckets(api, token, eventsRoute)
	type job struct{ id, number string }
	jobs := make(chan job, 1024)
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for j := range jobs {
				start := time.Now()
				code, _, err := call(client, http.MethodGet, api+"/api/callers/"+url.PathEscape(j.number)+"/admission", token, nil)
				d := time.Since(start)
				if err != nil || code != http.StatusOK {
					fail("admission", code)
					continue
				}
				mu.Lock()
				admission = append(admission, d)
				mu.Unlock()
				ok := true
				for _, ev := range []string{"ringing", "answered", "ended"} {
					body, _ := json.Marshal(map[string]string{"call_id": j.id, "number": j.number, "event": ev})
					start := time.Now()
					code, answer, err := call(client, http.MethodPost, api+"/api/calls/events", token, body)
					d := time.Since(start)
					if err != nil || code != http.StatusAccepted {
						fail(ev, code)
						ok = false
						break
					}
					mu.Lock()
					events = append(events, d)
					if bytes.Contains(answer, []byte(`"persisted":false`)) {
						notPersisted++
					}
					mu.Unlock()
				}
				if ok {
					mu.Lock()
					ids = append(ids, j.id)
					mu.Unlock()
				}
			}
		})
	}
	begin := time.Now()
	sent := pace(ctx, rate, func(n int) {
		j := job{id: fmt.Sprintf("%s-%d@fleetsim", run, n), number: fmt.Sprintf("08%010d", rng.IntN(1e10))}
		select {
		case jobs <- j:
		default: // the server is behind: a missed call, not a queue
			mu.Lock()
			missed++
			mu.Unlock()
		}
	})
	close(jobs)
	wg.Wait()
	elapsed := time.Since(begin)
	fmt.Fprintf(out, "calls: %d of %d in %s (%.0f/s); admission %s; events %s; failures %v, missed %d, persisted:false %d\n",
		len(ids), sent, elapsed.Round(time.Millisecond), float64(len(ids))/elapsed.Seconds(), quantiles(admission), quantiles(events), failures, missed, notPersisted)
	if admAfter, err := routeBuckets(api, token, admissionRoute); err == nil {
		evAfter, _ := routeBuckets(api, token, eventsRoute)
		fmt.Fprintf(out, "calls, the server's own time (its /metrics histogram): admission p50 %s, p99 %s; events p50 %s, p99 %s\n",
			serverQuantile(admBefore, admAfter, 0.5), serverQuantile(admBefore, admAfter, 0.99),
			serverQuantile(evBefore, evAfter, 0.5), serverQuantile(evBefore, evAfter, 0.99))
	}
	listed, err := listedCalls(client, api, token, begin.Add(-time.Second), run)
	if err != nil {
		return err
	}
	lost := 0
	for _, id := range ids {
		if !listed[id] {
			lost++
		}
	}
	fmt.Fprintf(out, "calls listed by GET /api/calls: %d of %d completed (%d missing)\n", len(ids)-lost, len(ids), lost)
	return nil
}

// quantiles writes p50, p99 and max of ds.
func quantiles(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	slices.Sort(ds)
	q := func(f float64) time.Duration {
		return ds[min(len(ds)-1, int(f*float64(len(ds))))].Round(10 * time.Microsecond)
	}
	return fmt.Sprintf("p50 %v, p99 %v, max %v (n %d)", q(0.50), q(0.99), ds[len(ds)-1].Round(10*time.Microsecond), len(ds))
}

// listedCalls reads GET /api/calls from since (retrying for 10 s while
// the list grows: a database writes in the background) and returns the
// call_ids of this run that are ended.
func listedCalls(client *http.Client, api, token string, since time.Time, run string) (map[string]bool, error) {
	var got map[string]bool
	last := -1
	for deadline := time.Now().Add(10 * time.Second); ; {
		code, body, err := call(client, http.MethodGet, api+"/api/calls?limit=10000&from="+url.QueryEscape(since.UTC().Format(time.RFC3339)), token, nil)
		if err != nil || code != http.StatusOK {
			return nil, fmt.Errorf("GET /api/calls: %d %v %.200s", code, err, body)
		}
		var list []struct {
			CallID string `json:"call_id"`
			State  string `json:"state"`
		}
		if err := json.Unmarshal(body, &list); err != nil {
			return nil, fmt.Errorf("GET /api/calls: %v", err)
		}
		got = map[string]bool{}
		for _, c := range list {
			if strings.HasPrefix(c.CallID, run+"-") && c.State == "ended" {
				got[c.CallID] = true
			}
		}
		if len(got) == last || time.Now().After(deadline) {
			return got, nil
		}
		last = len(got)
		time.Sleep(time.Second)
	}
}

func call(client *http.Client, method, url, token string, body []byte) (int, []byte, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		return 0, nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, b, err
}
