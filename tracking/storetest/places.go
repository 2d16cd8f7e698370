package storetest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// Placer is a store that keeps the place book (records of kind place)
// and its audit trail.
type Placer interface {
	tracking.RecordStore
	tracking.AuditLog
}

func sampleEntry(id string) tracking.PlaceEntry {
	return tracking.PlaceEntry{ID: id, Name: "Posko <b>Banjir</b> Kaligandu", Aliases: []string{"Tenda Biru", "Posko BPBD"}, Kind: "facility",
		Lat: -6.110699, Lon: 106.177791, CreatedAt: t0, CreatedBy: "Budi", UpdatedAt: t0, UpdatedBy: "Budi"}
}

func placeChange(action, actor string, e tracking.PlaceEntry, deleted bool) tracking.Change {
	return tracking.Change{Audit: tracking.Audit{Action: "place." + action, Actor: actor}, Action: action, At: e.UpdatedAt,
		Records: []tracking.Record{tracking.PlaceRecord(e, deleted)}}
}

// book reads the place book back from s, by id.
func book(t *testing.T, s Placer) []tracking.PlaceEntry {
	t.Helper()
	rs, _, err := s.Records(context.Background(), 0, tracking.RecordPlace)
	if err != nil {
		t.Fatal(err)
	}
	var out []tracking.PlaceEntry
	for _, r := range rs {
		if r.Kind != tracking.RecordPlace {
			t.Fatalf("asked for places, read %s %s", r.Kind, r.Key)
		}
		if !r.Deleted {
			out = append(out, *r.Place)
		}
	}
	slices.SortFunc(out, func(a, b tracking.PlaceEntry) int { return strings.Compare(a.ID, b.ID) })
	return out
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
	got := book(t, s)
	if len(got) != 2 || !equalEntry(got[0], a) || !equalEntry(got[1], b) {
		t.Fatalf("the book, by id: %+v", got)
	}
	// A change replaces the aliases.
	a.Aliases, a.Name, a.UpdatedAt, a.UpdatedBy = []string{"Posko Utama"}, "Posko Banjir", t0.Add(time.Hour), "Sari"
	if err := tracking.Apply(s, placeChange("changed", "Sari", a, false)); err != nil {
		t.Fatal(err)
	}
	if got := book(t, s); len(got) != 2 || !equalEntry(got[0], a) {
		t.Fatalf("changed: %+v, want %+v", got, a)
	}
	if err := tracking.Apply(s, placeChange("deleted", "Sari", b, true)); err != nil {
		t.Fatal(err)
	}
	if got := book(t, s); len(got) != 1 || got[0].ID != "pa-1" {
		t.Fatalf("after the deletion: %+v", got)
	}
	// The deletion is a tombstone, and a late change of the entry (one
	// racing the deletion) never brings it back: its id is never reused.
	if rs, _, _ := s.Records(ctx, 0, tracking.RecordPlace); !slices.ContainsFunc(rs, func(r tracking.Record) bool { return r.Key == "pb-2" && r.Deleted }) {
		t.Fatalf("no tombstone for the deleted entry: %+v", rs)
	}
	late := b
	late.UpdatedBy = "Rina"
	if err := tracking.Apply(s, placeChange("changed", "Rina", late, false)); err != nil {
		t.Fatal(err)
	}
	if got := book(t, s); len(got) != 1 {
		t.Fatalf("a change after the deletion brought the entry back: %+v", got)
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
	want := []string{"place.created place:pb-2 by Budi", "place.created place:pa-1 by Budi", "place.changed place:pa-1 by Sari", "place.deleted place:pb-2 by Sari",
		"place.changed place:pb-2 by Rina"}
	if !slices.Equal(lines, want) {
		t.Fatalf("audit trail:\n%v\nwant\n%v", lines, want)
	}
}

func equalEntry(a, b tracking.PlaceEntry) bool {
	return a.ID == b.ID && a.Name == b.Name && slices.Equal(a.Aliases, b.Aliases) && a.Kind == b.Kind && a.Lat == b.Lat && a.Lon == b.Lon &&
		a.CreatedAt.Equal(b.CreatedAt) && a.CreatedBy == b.CreatedBy && a.UpdatedAt.Equal(b.UpdatedAt) && a.UpdatedBy == b.UpdatedBy
}
