package postgres

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
)

// The track is read back from unit_positions in time order, within the
// window, newest kept under the limit, absent readings absent.
func TestTrackFromDatabase(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	t0 := time.Now().UTC().Truncate(time.Second).Add(-time.Hour)
	for i := range 6 {
		s.Append("AMB-T", tracking.Position{Lon: 106.15 + float64(i)*0.001, Lat: -6.12, At: t0.Add(time.Duration(i) * time.Minute), SpeedKmh: tracking.Some(30), Heading: tracking.Some(180), Battery: -1}, t0)
	}
	s.Append("OTHER", tracking.Position{Lon: 106.1, Lat: -6.1, At: t0.Add(time.Minute), Battery: -1}, t0)
	if err := s.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name     string
		from, to time.Duration
		limit    int
		want     []int // minutes
	}{
		{"window", time.Minute, 4 * time.Minute, 0, []int{1, 2, 3}},
		{"limit keeps the newest", 0, time.Hour, 2, []int{4, 5}},
		{"empty", 2 * time.Hour, 3 * time.Hour, 0, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pts, err := s.Track(ctx, "AMB-T", t0.Add(tc.from), t0.Add(tc.to), tc.limit)
			if err != nil {
				t.Fatal(err)
			}
			if len(pts) != len(tc.want) {
				t.Fatalf("%d points, want %v", len(pts), tc.want)
			}
			for i, m := range tc.want {
				if !pts[i].At.Equal(t0.Add(time.Duration(m) * time.Minute)) {
					t.Fatalf("point %d at %v, want minute %d", i, pts[i].At, m)
				}
			}
			if len(pts) > 0 && (pts[0].AccuracyM.Valid || pts[0].SpeedKmh != tracking.Some(30) || pts[0].Heading != tracking.Some(180)) {
				t.Fatalf("readings %+v", pts[0])
			}
		})
	}
}

// API geofences are kept with their shape (circles buffered to polygons)
// valid for PostGIS, and deleted; an invalid shape is refused whole.
func TestGeofenceRecords(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	fences := func(gs ...tracking.StoredGeofence) tracking.Change {
		c := tracking.Change{Audit: tracking.Audit{Action: "geofences.added", Actor: "t"}, At: time.Now()}
		for i := range gs {
			c.Records = append(c.Records, tracking.Record{Kind: tracking.RecordGeofence, Key: gs[i].ID, Geofence: &gs[i]})
		}
		return c
	}
	gs := []tracking.StoredGeofence{
		{ID: "rs-1", Name: "RS", Kind: "hospital", RadiusM: 100, Feature: []byte(`{"type":"Feature"}`), Geometry: []byte(`{"type":"Point","coordinates":[106.15,-6.12]}`)},
		{ID: "pos-1", Name: "Pos", Kind: "station", Agency: "dinkes", Feature: []byte(`{"type":"Feature"}`),
			Geometry: []byte(`{"type":"Polygon","coordinates":[[[106.169,-6.131],[106.171,-6.131],[106.171,-6.129],[106.169,-6.131]]]}`)},
	}
	if err := tracking.Apply(s, fences(gs...)); err != nil {
		t.Fatal(err)
	}
	var n int
	var area float64
	s.Pool().QueryRow(ctx, `SELECT count(*) FILTER (WHERE ST_IsValid(geom) AND ST_GeometryType(geom) = 'ST_Polygon'),
		max(ST_Area(geom::geography)) FILTER (WHERE id = 'rs-1') FROM geofences`).Scan(&n, &area)
	if n != 2 || area < 30_000 || area > 32_000 { // π·100² ≈ 31,416 m²
		t.Fatalf("%d valid polygons, circle of %.0f m²", n, area)
	}
	bowtie := tracking.StoredGeofence{ID: "x", Name: "x", Kind: "other", Feature: []byte(`{}`),
		Geometry: []byte(`{"type":"Polygon","coordinates":[[[106,-6],[106.1,-6.1],[106.1,-6],[106,-6.1],[106,-6]]]}`)}
	if err := tracking.Apply(s, fences(bowtie)); err == nil {
		t.Fatal("an invalid polygon was stored")
	}
	if got, _, err := s.Records(ctx, 0, tracking.RecordGeofence); err != nil || len(got) != 2 {
		t.Fatalf("%d fences (%v)", len(got), err)
	}
	del := tracking.Change{Audit: tracking.Audit{Action: "geofence.deleted", Actor: "t"}, Records: []tracking.Record{{Kind: tracking.RecordGeofence, Key: "rs-1", Deleted: true}}}
	if err := tracking.Apply(s, del); err != nil {
		t.Fatal(err)
	}
	s.Pool().QueryRow(ctx, `SELECT count(*) FROM geofences`).Scan(&n)
	if n != 1 {
		t.Fatalf("%d fences after the deletion", n)
	}
}

// A region event is one row, its point a layer of its own.
func TestRegionEventStored(t *testing.T) {
	s := openTest(t, testURL(t), Config{})
	ctx := context.Background()
	e := tracking.RegionEvent{UnitID: "AMB-R", Kind: tracking.RegionEnter, Region: "RS", RegionID: "rs-1", Trigger: "geofence", At: time.Now(), Lon: 106.15, Lat: -6.12, HasPosition: true}
	if err := tracking.Apply(s, tracking.Change{Audit: tracking.Audit{Action: "unit.region_enter", Actor: "detected: geofence"}, Action: "region", At: time.Now(), Region: &e}); err != nil {
		t.Fatal(err)
	}
	var source, subject string
	s.Pool().QueryRow(ctx, `SELECT r.source, e.subject FROM region_events r, events e WHERE e.action = 'unit.region_enter' AND ST_Equals(r.geom, ST_SetSRID(ST_MakePoint(106.15, -6.12), 4326))`).Scan(&source, &subject)
	if source != "geofence" || subject != "AMB-R" {
		t.Fatalf("source %q subject %q", source, subject)
	}
}
