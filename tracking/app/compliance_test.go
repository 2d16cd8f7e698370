package app_test

import (
	"encoding/csv"
	"math"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/trackingtest"
)

// The compliance report through the API, in memory and on PostgreSQL,
// checked against figures computed here from the scenario's own timeline.
func TestComplianceReportAgainstTheTimeline(t *testing.T) {
	for _, backend := range []string{"memory", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			clk := trackingtest.NewClock()
			cfg := app.Config{Now: clk.Now}
			if backend == "postgres" {
				cfg.DB = pgtest.URL(t)
			}
			_, base := newAccountsApp(t, cfg)
			complianceScenario(t, base, clk)
		})
	}
}

// act is one step of the scenario: at hours after t0, who does what.
type act struct {
	at     float64 // hours after t0
	do     string  // create, ack (agency user), dack (dispatcher), done, close
	key    string  // the scenario's name of the incident
	cat    string
	agency string
}

func complianceScenario(t *testing.T, base string, clk *trackingtest.Clock) {
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	pw := "sehat-selalu-2026"
	admin.must("POST", "/api/users", map[string]string{"name": "dinkes1", "role": "agency", "agency": "dinkes", "password": pw}, 201, nil)
	admin.must("POST", "/api/users", map[string]string{"name": "damkar1", "role": "agency", "agency": "damkar", "password": pw}, 201, nil)
	admin.must("POST", "/api/users", map[string]string{"name": "plan1", "role": "planner", "password": pw}, 201, nil)
	// Sessions end after hours of the scenario's clock: sign in for each act.
	as := func(agency string) *client { return login(t, base, agency+"1", pw) }

	timeline := []act{
		{0, "create", "I1", "medical", "dinkes"},
		{1, "ack", "I1", "", "dinkes"},
		{1, "create", "I2", "medical", "dinkes"},
		{2, "create", "I3", "medical", "dinkes"},
		{3, "create", "F1", "fire", "damkar"},
		{4, "create", "F2", "fire", "damkar"},
		{4.5, "ack", "F2", "", "damkar"},
		{5, "done", "I1", "", "dinkes"},
		{10, "close", "F1", "", ""},
		{30, "create", "F3", "fire", "damkar"},
		{31, "done", "F3", "", "damkar"}, // done acknowledges too
		{80, "dack", "I2", "", ""},       // the dispatcher acknowledges, late
	}
	const nowH = 100.0
	t0 := clk.Now()
	ids := map[string]string{}
	for _, a := range timeline {
		clk.Add(t0.Add(time.Duration(a.at * float64(time.Hour))).Sub(clk.Now()))
		switch a.do {
		case "create":
			var in incidentJSON
			admin.must("POST", "/api/incidents", map[string]any{"category": a.cat, "lat": -6.12, "lon": 106.15, "caller": "081234567890", "description": a.key}, 201, &in)
			ids[a.key] = in.ID
		case "ack":
			as(a.agency).must("POST", "/api/incidents/"+ids[a.key]+"/ack", nil, 200, nil)
		case "done":
			as(a.agency).must("POST", "/api/incidents/"+ids[a.key]+"/done", map[string]string{"outcome": "selesai"}, 200, nil)
		case "dack":
			admin.must("POST", "/api/incidents/"+ids[a.key]+"/ack", nil, 200, nil)
		case "close":
			admin.must("POST", "/api/incidents/"+ids[a.key]+"/close", nil, 200, nil)
		}
	}
	clk.Add(t0.Add(nowH * time.Hour).Sub(clk.Now()))

	// Independently: per incident, received, acknowledged and done hours.
	type life struct {
		agency              string
		recv, ack, done, cl float64 // -1: never
	}
	lives := map[string]*life{}
	for _, a := range timeline {
		switch a.do {
		case "create":
			lives[a.key] = &life{agency: a.agency, recv: a.at, ack: -1, done: -1, cl: -1}
		case "ack", "dack":
			lives[a.key].ack = a.at
		case "done":
			l := lives[a.key]
			l.done = a.at
			if l.ack < 0 {
				l.ack = a.at
			}
		case "close":
			lives[a.key].cl = a.at
			if lives[a.key].done < 0 {
				lives[a.key].done = a.at
			}
		}
	}
	type want struct {
		received, within, late, overNow, overTotal, acked, done int
		ack, doneS                                              []float64
	}
	wants := map[string]*want{"dinkes": {}, "damkar": {}, "bpbd": {}}
	for _, l := range lives {
		w := wants[l.agency]
		w.received++
		if l.ack >= 0 {
			w.acked++
			w.ack = append(w.ack, (l.ack-l.recv)*3600)
			if l.ack-l.recv <= 72 {
				w.within++
			} else {
				w.late++
			}
		}
		if l.done >= 0 {
			w.done++
			w.doneS = append(w.doneS, (l.done-l.recv)*3600)
		}
		stop := nowH
		for _, x := range []float64{l.ack, l.cl} {
			if x >= 0 && x < stop {
				stop = x
			}
		}
		if stop-l.recv > 72 {
			w.overTotal++
			if l.ack < 0 && l.cl < 0 {
				w.overNow++
			}
		}
	}
	nearestRank := func(xs []float64, p float64) *float64 {
		if len(xs) == 0 {
			return nil
		}
		s := slices.Clone(xs)
		slices.Sort(s)
		v := s[int(math.Ceil(p*float64(len(s))))-1]
		return &v
	}

	planner := login(t, base, "plan1", pw)
	from, to := t0.Add(-time.Hour).Format(time.RFC3339), t0.Add(nowH*time.Hour).Format(time.RFC3339)
	var rep struct {
		DeadlineS float64 `json:"deadline_s"`
		Agencies  []struct {
			Agency    string   `json:"agency"`
			Received  int      `json:"received"`
			Within    int      `json:"acknowledged_within_deadline"`
			Late      int      `json:"acknowledged_late"`
			OverNow   int      `json:"overdue_now"`
			OverTotal int      `json:"overdue_total"`
			Acked     int      `json:"acknowledged"`
			Done      int      `json:"done"`
			AckP50    *float64 `json:"ack_p50_s"`
			AckP90    *float64 `json:"ack_p90_s"`
			DoneP50   *float64 `json:"done_p50_s"`
			DoneP90   *float64 `json:"done_p90_s"`
		} `json:"agencies"`
	}
	planner.must("GET", "/api/agencies/compliance?from="+from+"&to="+to, nil, 200, &rep)
	if rep.DeadlineS != 72*3600 || len(rep.Agencies) != 14 {
		t.Fatalf("deadline %v, %d agencies", rep.DeadlineS, len(rep.Agencies))
	}
	eq := func(a, b *float64) bool { return (a == nil) == (b == nil) && (a == nil || math.Abs(*a-*b) < 1e-6) }
	for _, row := range rep.Agencies {
		w, ok := wants[row.Agency]
		if !ok {
			if row.Received != 0 {
				t.Errorf("%s received %d, want 0", row.Agency, row.Received)
			}
			continue
		}
		if row.Received != w.received || row.Within != w.within || row.Late != w.late || row.OverNow != w.overNow ||
			row.OverTotal != w.overTotal || row.Acked != w.acked || row.Done != w.done ||
			!eq(row.AckP50, nearestRank(w.ack, .5)) || !eq(row.AckP90, nearestRank(w.ack, .9)) ||
			!eq(row.DoneP50, nearestRank(w.doneS, .5)) || !eq(row.DoneP90, nearestRank(w.doneS, .9)) {
			t.Errorf("%s: got %+v, want %+v", row.Agency, row, *w)
		}
	}
	// A sanity anchor on the hand-computed figures of dinkes.
	if w := wants["dinkes"]; w.received != 3 || w.within != 1 || w.late != 1 || w.overNow != 1 || w.overTotal != 2 {
		t.Fatalf("scenario changed: %+v", *w)
	}

	// The CSV export, for a month of the SOP.
	req, _ := http.NewRequest("GET", base+"/api/agencies/compliance?format=csv&from=2026-11-01&to=2026-12-01", nil)
	req.Header.Set("Authorization", "Bearer "+agencyAdminToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "kepatuhan-opd-20261101-20261201.csv") {
		t.Fatalf("Content-Disposition %q", cd)
	}
	lines, err := csv.NewReader(resp.Body).ReadAll()
	if err != nil || len(lines) != 16 || lines[0][0] != "agency" {
		t.Fatalf("csv: %d lines, %v", len(lines), err)
	}
	for _, l := range lines {
		if l[0] == "dinkes" && (l[2] != "3" || l[3] != "1" || l[4] != "1" || l[5] != "1" || l[6] != "2") {
			t.Fatalf("csv dinkes %v", l)
		}
	}
	// Agency users and dispatchers do not read it.
	as("dinkes").must("GET", "/api/agencies/compliance", nil, 403, nil)
}
