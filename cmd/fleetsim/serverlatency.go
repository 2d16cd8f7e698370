package main

import (
	"bufio"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// routeBuckets reads the server's request-duration histogram of one route
// (2xx answers) from /metrics: upper bound in seconds → cumulative count.
func routeBuckets(api, token, route string) (map[float64]float64, error) {
	req, _ := http.NewRequest(http.MethodGet, api+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	out := map[float64]float64{}
	want := `route="` + route + `"`
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "siaga112_http_request_duration_seconds_bucket{") || !strings.Contains(line, want) || !strings.Contains(line, `code="2xx"`) {
			continue
		}
		_, le, ok := strings.Cut(line, `le="`)
		if !ok {
			continue
		}
		le, rest, _ := strings.Cut(le, `"`)
		bound, err1 := strconv.ParseFloat(le, 64)
		n, err2 := strconv.ParseFloat(strings.TrimSpace(rest[strings.LastIndex(rest, " "):]), 64)
		if err1 == nil && err2 == nil {
			out[bound] = n
		}
	}
	return out, sc.Err()
}

// serverQuantile is the upper bound of the bucket holding quantile q of
// the requests between two readings of a histogram: the server's own
// time, without the client's.
func serverQuantile(before, after map[float64]float64, q float64) string {
	var total float64
	bounds := make([]float64, 0, len(after))
	for b, n := range after {
		bounds = append(bounds, b)
		if b > 1e300 { // +Inf
			total = n - before[b]
		}
	}
	if total <= 0 {
		return "none"
	}
	slices.Sort(bounds)
	for _, b := range bounds {
		if after[b]-before[b] >= q*total {
			if b > 1e300 {
				return "> 10 s"
			}
			return fmt.Sprintf("≤ %.3g ms", b*1000)
		}
	}
	return "?"
}
