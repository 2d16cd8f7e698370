package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"sync"
	"time"

	"siaga112/geo"
	"siaga112/mapdata"
)

// incidentLoad posts incidents at rate per second to the API until ctx
// ends, at random points near kelurahan centres and with random
// categories, and reports the latency of POST /api/incidents.
func incidentLoad(ctx context.Context, api, token string, rate float64, seed uint64, out io.Writer) error {
	cats, err := categories(ctx, api, token)
	if err != nil {
		return err
	}
	kel := mapdata.Serang().Kelurahan
	rng := rand.New(rand.NewPCG(seed, 112))
	client := &http.Client{Timeout: 10 * time.Second}
	var (
		mu        sync.Mutex
		latencies []time.Duration
		failures  = map[int]int{}
	)
	jobs := make(chan []byte, 1024)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for body := range jobs {
				start := time.Now()
				code, err := post(client, api+"/api/incidents", token, body)
				d := time.Since(start)
				mu.Lock()
				if err != nil || code != http.StatusCreated {
					failures[code]++
				} else {
					latencies = append(latencies, d)
				}
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	pace(ctx, rate, func(int) {
		k := kel[rng.IntN(len(kel))]
		p := geo.Destination(k.Point, rng.Float64()*360, rng.Float64()*150)
		body, _ := json.Marshal(map[string]any{
			"category": cats[rng.IntN(len(cats))], "lat": p[1], "lon": p[0],
			"caller": fmt.Sprintf("08%010d", rng.IntN(1e10)), "description": "fleetsim load",
		})
		select {
		case jobs <- body:
		default: // the server is behind; count it as a miss, not a queue
			mu.Lock()
			failures[-1]++
			mu.Unlock()
		}
	})
	close(jobs)
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(latencies)
	q := func(f float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(f*float64(len(latencies))))].Round(10 * time.Microsecond)
	}
	fmt.Fprintf(out, "created %d incidents in %s (%.0f/s): p50 %v, p90 %v, p99 %v, max %v; failures %v\n",
		len(latencies), elapsed.Round(time.Millisecond), float64(len(latencies))/elapsed.Seconds(), q(0.50), q(0.90), q(0.99), q(1), failures)
	return nil
}

func categories(ctx context.Context, api, token string) ([]string, error) {
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/plans", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("read plans: %w", err)
	}
	defer resp.Body.Close()
	var v struct {
		Plans []struct {
			Category string `json:"category"`
		} `json:"plans"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil || len(v.Plans) == 0 {
		return nil, fmt.Errorf("read plans: %s: no plans (%v)", resp.Status, err)
	}
	out := make([]string, len(v.Plans))
	for i, p := range v.Plans {
		out[i] = p.Category
	}
	return out, nil
}

func post(client *http.Client, url, token string, body []byte) (int, error) {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}
