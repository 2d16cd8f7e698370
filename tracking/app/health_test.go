package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// idleServer is a server on PostgreSQL behind the cuttable proxy, with
// nothing to write: no broker, no fleet, no requests but /healthz.
func idleServer(t testing.TB) (*pgtest.Proxy, string) {
	t.Helper()
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, OpenAPI: true, DB: proxy.Via(db)}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return proxy, srv.URL
}

// healthz answers the status and the database component's sentence.
func healthz(t testing.TB, base string) (int, string) {
	resp, err := http.Get(base + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct{ Components map[string]string }
	json.NewDecoder(resp.Body).Decode(&body)
	return resp.StatusCode, body.Components["database"]
}

// healthUntil polls /healthz every 50 ms until ok holds or within passes; it
// answers how long it took and the last answer.
func healthUntil(t *testing.T, base string, within time.Duration, ok func(int, string) bool) (time.Duration, int, string) {
	t.Helper()
	start := time.Now()
	for {
		code, db := healthz(t, base)
		if ok(code, db) || time.Since(start) > within {
			return time.Since(start), code, db
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Issue 22 item 12: on an idle server (nothing written), /healthz names
// the database's outage within 2 s of PostgreSQL becoming unreachable, and
// answers 200 again within 2 s of its return. Before, it answered 200
// {"database":"ok"} until something wrote.
func TestHealthzSeesTheDatabaseGoOnAnIdleServer(t *testing.T) {
	proxy, base := idleServer(t)
	if took, code, db := healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 200 }); code != 200 {
		t.Fatalf("not healthy at start after %v: %d %q", took, code, db)
	}
	for round := range 2 {
		proxy.Cut()
		took, code, db := healthUntil(t, base, 5*time.Second, func(c int, db string) bool { return c == 503 })
		t.Logf("round %d: 503 %v after the cut: %q", round, took.Round(time.Millisecond), db)
		if code != 503 || !strings.Contains(db, "database unreachable") || took > 2*time.Second {
			t.Fatalf("round %d: %v after the cut: %d %q; want 503 naming the outage within 2 s", round, took, code, db)
		}
		proxy.Restore()
		took, code, db = healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 200 })
		t.Logf("round %d: 200 %v after the return", round, took.Round(time.Millisecond))
		if code != 200 || took > 2*time.Second {
			t.Fatalf("round %d: %v after the return: %d %q; want 200 within 2 s", round, took, code, db)
		}
	}
}

// A slow database (every reply 1.5 s late) is slow, not unreachable: the
// ping answers late, and /healthz says so.
func TestHealthzTellsSlowFromUnreachable(t *testing.T) {
	proxy, base := idleServer(t)
	healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 200 })
	proxy.SetLatency(1500 * time.Millisecond)
	took, code, db := healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 503 })
	// A ping a second, each given 1 s: a slowdown just after one is seen
	// at 2 s at the latest, plus scheduling on a loaded machine.
	if code != 503 || !strings.Contains(db, "database slow") || took > 3*time.Second {
		t.Fatalf("%v after the database slowed: %d %q; want 503 saying slow within 3 s", took, code, db)
	}
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if code, db := healthz(t, base); code != 503 || !strings.Contains(db, "database slow") {
			t.Fatalf("while slow: %d %q", code, db)
		}
	}
	proxy.SetLatency(0)
	if took, code, db := healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 200 }); code != 200 {
		t.Fatalf("%v after the database is quick again: %d %q", took, code, db)
	}
}

var pingsTotal = regexp.MustCompile(`(?m)^siaga112_db_pings_total (\d+)`)

func pings(t testing.TB, base string) int {
	resp, err := http.Get(base + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	m := pingsTotal.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no siaga112_db_pings_total in /metrics")
	}
	n, _ := strconv.Atoi(string(m[1]))
	return n
}

// /healthz reads one shared ping a second: a thousand requests cost the
// database no more pings than the seconds they take.
func TestHealthzSharesOnePingASecond(t *testing.T) {
	_, base := idleServer(t)
	healthUntil(t, base, 5*time.Second, func(c int, _ string) bool { return c == 200 })
	before, start := pings(t, base), time.Now()
	for range 1000 {
		if code, db := healthz(t, base); code != 200 {
			t.Fatalf("%d %q", code, db)
		}
	}
	n, secs := pings(t, base)-before, time.Since(start).Seconds()
	t.Logf("1,000 /healthz in %.1f s: %d pings", secs, n)
	if float64(n) > secs+2 {
		t.Fatalf("%d pings in %.1f s for 1,000 requests: not one a second", n, secs)
	}
}

// BenchmarkHealthz: /healthz with the database up, over HTTP; p99 is
// reported (the issue asks under 5 ms).
func BenchmarkHealthz(b *testing.B) {
	_, base := idleServer(b)
	for code, _ := healthz(b, base); code != 200; code, _ = healthz(b, base) {
		time.Sleep(50 * time.Millisecond)
	}
	client := &http.Client{}
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for range b.N {
		start := time.Now()
		resp, err := client.Get(base + "/healthz")
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("/healthz %d", resp.StatusCode)
		}
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
}
