package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

func ptr[T any](v T) *T { return &v }

// A change PostgreSQL refuses (here a NUL byte, which text columns never
// take) is kept in dead_letters, counted and reported by Healthy; the
// changes submitted with it are written all the same.
func TestRefusedChangeGoesToDeadLetters(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	incident := func(id, desc string) *tracking.Incident {
		return &tracking.Incident{ID: id, Category: "medical", Lat: -6.11, Lon: 106.17, Kecamatan: tracking.Place{Code: "36.73.01", Name: "Serang"},
			Caller: "0811", Description: desc, Status: tracking.IncidentOpen, LeadAgency: "dinkes", ReceivedAt: time.Now(), AgencyDueAt: time.Now()}
	}
	answers := make(chan error, 3)
	for i, desc := range []string{"ok before", "bad \x00 byte", "ok after"} {
		c := tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: "t"}, Incident: incident("20261126-00000"+string(rune('1'+i)), desc)}
		s.Submit(c, func(err error) { answers <- err })
	}
	var errs []error
	for range 3 {
		errs = append(errs, <-answers)
	}
	if errs[0] != nil || errs[1] == nil || errs[2] != nil {
		t.Fatalf("answers %v, want nil, a refusal, nil", errs)
	}
	var n int
	var change string
	if err := s.Pool().QueryRow(ctx, `SELECT count(*), max(change) FROM dead_letters`).Scan(&n, &change); err != nil || n != 1 {
		t.Fatalf("dead letters: %d, %v", n, err)
	}
	if !strings.Contains(change, `bad \u0000 byte`) {
		t.Fatalf("dead letter %q does not hold the change", change)
	}
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM incidents`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d incidents written, want the 2 good ones (%v)", n, err)
	}
	if err := s.Healthy(); err == nil || !strings.Contains(err.Error(), "dead_letters") {
		t.Fatalf("healthy with a dead letter: %v", err)
	}
}
