package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"siaga112/tracking"
)

// Placer is a store that keeps the place book and its audit trail.
type Placer interface {
	tracking.Store
	tracking.PlaceStore
	tracking.AuditLog
}

func sampleEntry(id string) tracking.PlaceEntry {
	return tracking.PlaceEntry{ID: id, Name: "Posko <b>Banjir</b> Kaligandu", Aliases: []string{"Tenda Biru", "Posko BPBD"}, Kind: "facility",
		Lat: -6.110699, Lon: 106.177791, CreatedAt: t0, CreatedBy: "Budi", UpdatedAt: t0, UpdatedBy: "Budi"}
}

func placeChange(action, actor string, e tracking.PlaceEntry, deleted bool) tracking.Change {
	return tracking.Change{Audit: tracking.Audit{Action: "place." + action, Actor: actor}, Action: action, At: e.UpdatedAt,
		Place: &tracking.PlaceChange{Entry: e, Deleted: deleted}}
}

// RunPlaces is the place book's contract: write, change, delete, read
// back, and one audit row per change with its actor.
func RunPlaces(t *testing.T, open func(t *testing.T) Placer) {
	ctx := context.Background()
	s := open(t)
	a, b := sampleEntry("pa-1"), sampleEntry("pb-2")
	b.Name, b.Aliases, b.Kind = "Tugu Jam Alun-alun", []string{}, "landmark"
	for _, e := range []tracking.PlaceEntry{b, a} {
		if err := tracking.Apply(s, placeChange("created", "Budi", e, false)); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Places(ctx)
	if err != nil || len(got) != 2 || !equalEntry(got[0], a) || !equalEntry(got[1], b) {
		t.Fatalf("Places, by id: %+v (%v)", got, err)
	}
	// A change replaces the aliases.
	a.Aliases, a.Name, a.UpdatedAt, a.UpdatedBy = []string{"Posko Utama"}, "Posko Banjir", t0.Add(time.Hour), "Sari"
	if err := tracking.Apply(s, placeChange("changed", "Sari", a, false)); err != nil {
		t.Fatal(err)
	}
	if e, err := s.Place(ctx, "pa-1"); err != nil || !equalEntry(e, a) {
		t.Fatalf("changed: %+v (%v), want %+v", e, err, a)
	}
	if err := tracking.Apply(s, placeChange("deleted", "Sari", b, true)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Place(ctx, "pb-2"); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Fatalf("deleted: %v", err)
	}
	if got, _ := s.Places(ctx); len(got) != 1 || got[0].ID != "pa-1" {
		t.Fatalf("after the deletion: %+v", got)
	}
	trail, err := s.AuditTrail(ctx, tracking.AuditQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range trail {
		if e.Subject == tracking.PlaceSubject("pa-1") || e.Subject == tracking.PlaceSubject("pb-2") {
			lines = append(lines, e.Action+" "+e.Subject+" by "+e.Actor)
		}
	}
	want := []string{"place.created place:pb-2 by Budi", "place.created place:pa-1 by Budi", "place.changed place:pa-1 by Sari", "place.deleted place:pb-2 by Sari"}
	if !slices.Equal(lines, want) {
		t.Fatalf("audit trail:\n%v\nwant\n%v", lines, want)
	}
}

func equalEntry(a, b tracking.PlaceEntry) bool {
	return a.ID == b.ID && a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && a.Kind == b.Kind && a.Lat == b.Lat && a.Lon == b.Lon &&
		a.CreatedAt.Equal(b.CreatedAt) && a.CreatedBy == b.CreatedBy && a.UpdatedAt.Equal(b.UpdatedAt) && a.UpdatedBy == b.UpdatedBy
}
