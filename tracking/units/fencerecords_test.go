package units_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
	"siaga112/tracking/units"
)

// refusing refuses every change of records while armed, as a database
// refuses a write.
type refusing struct {
	*memstore.Store
	armed atomic.Bool
}

var errRefused = errors.New("refused by the test's store")

func (r *refusing) Submit(c tracking.Change, done func(error)) {
	if r.armed.Load() && len(c.Records) > 0 {
		done(errRefused)
		return
	}
	r.Store.Submit(c, done)
}

func fenceIDs(s *units.Service) []string {
	var ids []string
	for _, f := range s.Geofences() {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return ids
}

func apiFences(t *testing.T, store *refusing) *units.Service {
	t.Helper()
	clk := trackingtest.NewClock()
	s, err := units.New(context.Background(), units.Config{Fleet: fleet.New(fleet.Config{Now: clk.Now}), Store: store, GeofenceStore: store, Now: clk.Now,
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

const oneFence = `{"type":"FeatureCollection","features":[
 {"type":"Feature","id":"rs-2","properties":{"name":"RS Dua","kind":"hospital","radius_m":80},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}]}`

// Issue 23: a geofence change the store refuses leaves the fences in
// force as they were; one it takes is there after a restart.
func TestRefusedGeofenceChangeLeavesMemory(t *testing.T) {
	tests := []struct {
		name   string
		change func(s *units.Service) error
	}{
		{"fences added", func(s *units.Service) error {
			_, err := s.AddGeofences(context.Background(), []byte(oneFence), "admin")
			return err
		}},
		{"fences replaced", func(s *units.Service) error {
			_, err := s.AddGeofences(context.Background(), []byte(fencesJSON), "admin")
			return err
		}},
		{"fence deleted", func(s *units.Service) error { return s.DeleteGeofence(context.Background(), "rs-1", "admin") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			store := &refusing{Store: memstore.New()}
			s := apiFences(t, store)
			if _, err := s.AddGeofences(context.Background(), []byte(fencesJSON), "admin"); err != nil {
				t.Fatal(err)
			}
			before := fenceIDs(s)
			store.armed.Store(true)
			if err := tt.change(s); !errors.Is(err, errRefused) {
				t.Fatalf("the change answered %v, want the store's refusal", err)
			}
			if after := fenceIDs(s); !slices.Equal(before, after) {
				t.Fatalf("fences %v after the refusal, want %v", after, before)
			}
			if again := fenceIDs(apiFences(t, store)); !slices.Equal(before, again) {
				t.Fatalf("after a restart: %v, want %v", again, before)
			}
		})
	}
}

// Another instance's fence changes, read back: each applies only when
// newer than what memory holds; a deletion is a tombstone an older copy
// cannot undo.
func TestGeofencesAbsorbByVersion(t *testing.T) {
	store := &refusing{Store: memstore.New()}
	s := apiFences(t, store)
	if _, err := s.AddGeofences(context.Background(), []byte(fencesJSON), "admin"); err != nil {
		t.Fatal(err)
	}
	rs, upTo, err := store.Records(context.Background(), 0, tracking.RecordGeofence)
	if err != nil || len(rs) != 2 {
		t.Fatalf("%d records (%v)", len(rs), err)
	}
	stale := rs[0] // as a read made before the deletion would bring it
	gone := tracking.Record{Kind: tracking.RecordGeofence, Key: stale.Key, Deleted: true, Version: upTo + 1}
	s.AbsorbGeofences([]tracking.Record{gone}, 0)
	if slices.Contains(fenceIDs(s), stale.Key) {
		t.Fatalf("%s still in force after its tombstone", stale.Key)
	}
	s.AbsorbGeofences([]tracking.Record{stale}, 0)
	if slices.Contains(fenceIDs(s), stale.Key) {
		t.Fatalf("an older copy of %s brought it back", stale.Key)
	}
	again := stale
	again.Version = upTo + 2 // made again, later
	s.AbsorbGeofences([]tracking.Record{again}, 0)
	if !slices.Contains(fenceIDs(s), stale.Key) {
		t.Fatalf("%s made again is not in force", stale.Key)
	}
}
