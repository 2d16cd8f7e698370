package web

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/compliance"
)

type fixedCases struct{ cases []compliance.Case }

func (f fixedCases) ComplianceCases(_ context.Context, from, to time.Time) ([]compliance.Case, error) {
	return f.cases, nil
}
func (fixedCases) Agencies() []compliance.Agency {
	return []compliance.Agency{{Code: "dinkes", Name: "Dinas Kesehatan"}, {Code: "damkar", Name: "Damkar"}}
}
func (fixedCases) Deadline() time.Duration { return 72 * time.Hour }

func TestAgencyComplianceRoute(t *testing.T) {
	now := time.Date(2026, 11, 27, 3, 0, 0, 0, time.UTC)
	recv := time.Date(2026, 11, 3, 1, 0, 0, 0, time.UTC)
	ack := recv.Add(90 * time.Minute)
	src := fixedCases{cases: []compliance.Case{{Agency: "dinkes", ReceivedAt: recv, AckedAt: &ack}, {Agency: "damkar", ReceivedAt: recv}}}
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := s.agencyCompliance(src, func() time.Time { return now })
	get := func(q string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/api/agencies/compliance?"+q, nil))
		return rec
	}
	rec := get("from=2026-11-01&to=2026-12-01")
	var rep compliance.Report
	if err := json.Unmarshal(rec.Body.Bytes(), &rep); err != nil || rec.Code != 200 {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	if rep.Agencies[0].Received != 1 || rep.Agencies[0].AckedWithin != 1 || *rep.Agencies[0].AckP50 != 5400 ||
		rep.Agencies[1].OverdueNow != 1 || rep.Total.Received != 2 || rep.DeadlineS != 259200 {
		t.Fatalf("report %s", rec.Body)
	}
	rec = get("from=2026-11-01&to=2026-12-01&format=csv")
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || rec.Code != 200 || len(recs) != 4 || recs[2][5] != "1" ||
		!strings.Contains(rec.Header().Get("Content-Disposition"), "kepatuhan-opd-20261101-20261201.csv") {
		t.Fatalf("csv %d %q %v", rec.Code, recs, rec.Header())
	}
	for _, q := range []string{"from=2026-12-01&to=2026-11-01", "format=xml", "from=yesterday"} {
		if rec := get(q); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"error"`) {
			t.Fatalf("%s: %d %s", q, rec.Code, rec.Body)
		}
	}
}
