package app

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/postgres/pgtest"
)

func TestSyntheticHistoryIsSeededAndMarked(t *testing.T) {
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	a, err := New(context.Background(), Config{NoMQTT: true, OpenAPI: true, Now: func() time.Time { return now }}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	one := syntheticHistory(DemoHistorySeed, now, a.Dispatch.Plans(), districtsOf(t, a))
	two := syntheticHistory(DemoHistorySeed, now, a.Dispatch.Plans(), districtsOf(t, a))
	if len(one) < 300*demoHistoryPerDay/2 || len(one) != len(two) {
		t.Fatalf("%d and %d records", len(one), len(two))
	}
	kel := map[string]bool{}
	for i, r := range one {
		if fmt.Sprint(r) != fmt.Sprint(two[i]) {
			t.Fatalf("record %d differs between two runs with one seed", i)
		}
		if !r.IsSynthetic() || r.KelurahanCode == "" || r.ReceivedAt.After(now) || r.ReceivedAt.Before(now.Add(-366*24*time.Hour)) {
			t.Fatalf("record %+v: not marked, not located or outside the year", r)
		}
		kel[r.KelurahanCode] = true
	}
	if len(kel) < 60 {
		t.Errorf("history touches only %d kelurahan", len(kel))
	}
}

func districtsOf(t *testing.T, a *App) tracking.Locator {
	t.Helper()
	d, err := loadDistricts(a.cfg, a.log)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A fresh demo answers the planners with a year of (synthetic, marked)
// history, and raises synthetic calls through dispatch that the
// dispatchers see, with units recommended and sent.
func TestFreshDemoShowsAnalyticsAndSyntheticCalls(t *testing.T) {
	a, err := New(context.Background(), Config{NoMQTT: true, OpenAPI: true, Demo: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ts := httptest.NewServer(a.Web)
	defer ts.Close()
	get := func(path string, v any) {
		t.Helper()
		resp, err := http.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %d %s", path, resp.StatusCode, b)
		}
		if err := json.Unmarshal(b, v); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}

	var fc struct {
		Matched   int  `json:"matched"`
		Synthetic bool `json:"synthetic"`
		Features  []struct {
			Properties struct {
				Code  string   `json:"code"`
				Count int      `json:"count"`
				P50   *float64 `json:"p50_s"`
				P90   *float64 `json:"p90_s"`
			} `json:"properties"`
		} `json:"features"`
	}
	get("/api/analytics/response-times?by=kecamatan", &fc)
	if fc.Matched < 1000 || !fc.Synthetic || len(fc.Features) != 6 {
		t.Fatalf("matched %d, synthetic %v, %d kecamatan", fc.Matched, fc.Synthetic, len(fc.Features))
	}
	for _, f := range fc.Features {
		if f.Properties.Count == 0 || f.Properties.P50 == nil || f.Properties.P90 == nil || *f.Properties.P90 < *f.Properties.P50 {
			t.Errorf("kecamatan %s: %+v", f.Properties.Code, f.Properties)
		}
	}
	var h3 struct {
		Features []json.RawMessage `json:"features"`
	}
	get("/api/analytics/response-times?by=h3&res=8", &h3)
	if len(h3.Features) < 50 {
		t.Errorf("the H3 heatmap has %d cells", len(h3.Features))
	}

	// A few live units so the synthetic call has someone to send.
	ctx := context.Background()
	for i, typ := range tracking.UnitTypes {
		for j := range 3 {
			id := fmt.Sprintf("DEMO-%d-%d", i, j)
			if _, _, err := a.Units.Register(ctx, tracking.Registration{ID: id, Type: typ, Agency: "dinkes"}, "test"); err != nil {
				t.Fatal(err)
			}
			if _, err := a.Units.ApplyFix(id, tracking.Position{Lat: -6.12 + float64(j)*0.01, Lon: 106.15 + float64(i)*0.01, At: time.Now(), Battery: -1}); err != nil {
				t.Fatal(err)
			}
		}
	}
	old := DemoCallEvery
	DemoCallEvery = [2]time.Duration{10 * time.Millisecond, 20 * time.Millisecond}
	defer func() { DemoCallEvery = old }()
	cctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() { defer close(done); a.raiseSyntheticCalls(cctx, rand.New(rand.NewPCG(1, 2))) }()
	deadline := time.Now().Add(5 * time.Second)
	var seen []tracking.Incident
	for len(seen) == 0 && time.Now().Before(deadline) {
		seen = a.Dispatch.List(dispatch.Filter{})
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if len(seen) == 0 {
		t.Fatal("no synthetic call within 5 s")
	}
	var list []struct {
		ID          string                `json:"id"`
		Synthetic   bool                  `json:"synthetic"`
		Description string                `json:"description"`
		Assignments []tracking.Assignment `json:"assignments"`
	}
	get("/api/incidents", &list)
	if len(list) == 0 {
		t.Fatal("the synthetic call is not on /api/incidents")
	}
	for _, in := range list {
		if !in.Synthetic || !strings.HasPrefix(in.Description, tracking.SyntheticMark) {
			t.Errorf("%s is not marked synthetic: %+v", in.ID, in)
		}
		if len(in.Assignments) == 0 {
			t.Errorf("%s: no unit was dispatched", in.ID)
		}
	}
}

// A database that kept a demo's synthetic history says so to the planners
// in a later run that is no demo.
func TestSyntheticHistoryStaysMarkedInTheDatabase(t *testing.T) {
	db := pgtest.URL(t)
	synthetic := func(demo bool) bool {
		a, err := New(context.Background(), Config{NoMQTT: true, OpenAPI: true, Demo: demo, DB: db}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		ts := httptest.NewServer(a.Web)
		defer ts.Close()
		resp, err := http.Get(ts.URL + "/api/analytics/response-times?by=kecamatan")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var fc struct {
			Matched   int  `json:"matched"`
			Synthetic bool `json:"synthetic"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&fc); err != nil {
			t.Fatal(err)
		}
		if fc.Matched < 1000 {
			t.Errorf("demo=%v: matched %d", demo, fc.Matched)
		}
		return fc.Synthetic
	}
	if !synthetic(true) {
		t.Error("the demo's answers are not marked synthetic")
	}
	if !synthetic(false) {
		t.Error("a later run over the same database does not mark the synthetic history")
	}
}
