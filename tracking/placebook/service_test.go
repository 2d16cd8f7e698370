package placebook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// refusing is a store that refuses changes naming one place, and every
// deletion while deletions is set (the way a database refuses a row), and
// otherwise keeps them in memory.
type refusing struct {
	*memstore.Store
	name      string
	deletions *atomic.Bool
}

func (r refusing) Submit(c tracking.Change, done func(error)) {
	for _, x := range c.Records {
		if x.Kind == tracking.RecordPlace && (x.Place != nil && x.Place.Name == r.name || x.Deleted && r.deletions.Load()) {
			done(errors.New("refused"))
			return
		}
	}
	r.Store.Submit(c, done)
}

func newBook(t *testing.T, refuse string) (*Service, *[]tracking.PlaceEntry, *atomic.Bool) {
	t.Helper()
	deletions := &atomic.Bool{}
	var seen []tracking.PlaceEntry
	s, err := New(context.Background(), Config{Store: refusing{memstore.New(), refuse, deletions}, Locator: geo.NewExactIndex(mapdata.SerangDistricts()),
		OnChange: func(es []tracking.PlaceEntry) { seen = es }})
	if err != nil {
		t.Fatal(err)
	}
	return s, &seen, deletions
}

func ptr[T any](v T) *T { return &v }

func TestCreateConcurrently(t *testing.T) {
	s, _, _ := newBook(t, "")
	var wg sync.WaitGroup
	ids := make([]string, 200)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			e, persisted, err := s.Create(context.Background(), tracking.PlaceFields{Name: ptr(fmt.Sprintf("Tugu %d", i)), Lat: ptr(-6.12), Lon: ptr(106.15)}, "budi")
			if err != nil || !persisted || e.Kind != "landmark" || !tracking.ValidPlaceID(e.ID) || e.CreatedBy != "budi" {
				t.Errorf("%+v %v %v", e, persisted, err)
			}
			ids[i] = e.ID
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			t.Fatalf("id %s given twice", id)
		}
		seen[id] = true
	}
	if n := len(s.List()); n != 200 {
		t.Fatalf("%d entries", n)
	}
}

func TestRefusedIsTakenBack(t *testing.T) {
	s, seen, deletions := newBook(t, "Ditolak")
	ctx := context.Background()
	if _, _, err := s.Create(ctx, tracking.PlaceFields{Name: ptr("Ditolak"), Lat: ptr(-6.12), Lon: ptr(106.15)}, "budi"); err == nil {
		t.Fatal("refused creation answered")
	}
	if len(s.List()) != 0 || len(*seen) != 0 {
		t.Fatalf("a refused entry stays: %+v / %+v", s.List(), *seen)
	}
	e, _, err := s.Create(ctx, tracking.PlaceFields{Name: ptr("Tugu"), Lat: ptr(-6.12), Lon: ptr(106.15)}, "budi")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Update(ctx, e.ID, tracking.PlaceFields{Name: ptr("Ditolak")}, "sari"); err == nil {
		t.Fatal("refused change answered")
	}
	if got, _ := s.Get(e.ID); got.Name != "Tugu" || (*seen)[0].Name != "Tugu" {
		t.Fatalf("a refused change stays: %+v / %+v", got, *seen)
	}
	deletions.Store(true)
	if _, err := s.Delete(ctx, e.ID, "sari"); err == nil {
		t.Fatal("refused deletion answered")
	}
	if got, err := s.Get(e.ID); err != nil || got.Name != "Tugu" || len(*seen) != 1 {
		t.Fatalf("a refused deletion stays: %+v (%v) / %+v", got, err, *seen)
	}
	deletions.Store(false)
	for _, tc := range []struct {
		f    tracking.PlaceFields
		code tracking.Code
	}{
		{tracking.PlaceFields{}, tracking.CodeInvalid},
		{tracking.PlaceFields{Kind: ptr("castle")}, tracking.CodeInvalid},
		{tracking.PlaceFields{Lat: ptr(-6.1754), Lon: ptr(106.8272)}, tracking.CodeOutsideArea},
		{tracking.PlaceFields{Aliases: &[]string{""}}, tracking.CodeInvalid},
	} {
		if _, _, err := s.Update(ctx, e.ID, tc.f, "sari"); tracking.CodeOf(err) != tc.code {
			t.Errorf("%+v: %v, want %s", tc.f, err, tc.code)
		}
	}
	if _, err := s.Delete(ctx, "nope", "sari"); tracking.CodeOf(err) != tracking.CodeNotFound {
		t.Errorf("delete unknown: %v", err)
	}
}

// Another instance's changes apply only when newer than what memory
// holds, and a deletion stays deleted.
func TestAbsorbByVersion(t *testing.T) {
	s, seen, _ := newBook(t, "")
	e := tracking.PlaceEntry{ID: "p-remote", Name: "Gapura Kaibon", Aliases: []string{}, Kind: "landmark", Lat: -6.0335, Lon: 106.1571}
	at := func(e tracking.PlaceEntry, v int64, deleted bool) tracking.Record {
		r := tracking.PlaceRecord(e, deleted)
		r.Version = v
		return r
	}
	newer := e
	newer.Name = "Gerbang Kaibon"
	for _, tc := range []struct {
		name string
		r    tracking.Record
		want string // the entry's name after; "": absent
	}{
		{"first read", at(e, 5, false), "Gapura Kaibon"},
		{"newer change", at(newer, 7, false), "Gerbang Kaibon"},
		{"older change, read late", at(e, 6, false), "Gerbang Kaibon"},
		{"deletion", at(e, 9, true), ""},
		{"change older than the deletion", at(newer, 8, false), ""},
		{"change after the deletion: an id is never reused", at(newer, 10, false), ""},
	} {
		s.Absorb([]tracking.Record{tc.r}, 0)
		got, err := s.Get("p-remote")
		if (tc.want == "") != (err != nil) || got.Name != tc.want || len(*seen) != len(s.List()) {
			t.Errorf("%s: %+v (%v), search sees %d, want %q", tc.name, got, err, len(*seen), tc.want)
		}
	}
}
