package placebook

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/memstore"
)

// refusing is a store that refuses changes naming one place (the way a
// database refuses a row), and otherwise keeps them in memory.
type refusing struct {
	*memstore.Store
	name string
}

func (r refusing) Submit(c tracking.Change, done func(error)) {
	if c.Place != nil && c.Place.Entry.Name == r.name {
		done(errors.New("refused"))
		return
	}
	r.Store.Submit(c, done)
}

func newBook(t *testing.T, refuse string) (*Service, *[]tracking.PlaceEntry) {
	t.Helper()
	mem := memstore.New()
	var seen []tracking.PlaceEntry
	s, err := New(context.Background(), Config{Store: refusing{mem, refuse}, Places: mem, Locator: geo.NewExactIndex(mapdata.SerangDistricts()),
		OnChange: func(es []tracking.PlaceEntry) { seen = es }})
	if err != nil {
		t.Fatal(err)
	}
	return s, &seen
}

func ptr[T any](v T) *T { return &v }

func TestCreateConcurrently(t *testing.T) {
	s, _ := newBook(t, "")
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
	s, seen := newBook(t, "Ditolak")
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
