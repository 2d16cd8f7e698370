package app_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// With a database, geofences made through the API, the track and the
// region events outlive a restart.
func TestHistorySurvivesRestart(t *testing.T) {
	db := pgtest.URL(t)
	ctx := context.Background()
	open := func() *app.App {
		a, err := app.New(ctx, app.Config{NoMQTT: true, OpenAPI: true, DB: db}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	a := open()
	fence := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"rs-p","properties":{"name":"RS P","kind":"hospital","radius_m":100},"geometry":{"type":"Point","coordinates":[106.16,-6.11]}}]}`
	if _, err := a.Units.AddGeofences(ctx, []byte(fence), "admin"); err != nil {
		t.Fatal(err)
	}
	a.Units.Register(ctx, tracking.Registration{ID: "AMB-P", Type: tracking.Ambulance, Agency: "dinkes"}, "admin")
	t0 := time.Now().Add(-time.Minute).Truncate(time.Millisecond)
	a.Units.ApplyFix("AMB-P", tracking.Position{Lon: 106.17, Lat: -6.11, At: t0, Battery: -1})
	a.Units.ApplyFix("AMB-P", tracking.Position{Lon: 106.16, Lat: -6.11, At: t0.Add(time.Second), Battery: -1})
	a.Close() // flushes the positions, drains the writer

	b := open()
	defer b.Close()
	if fs := b.Units.Geofences(); len(fs) != 1 || fs[0].ID != "rs-p" || fs[0].RadiusM != 100 {
		t.Fatalf("geofences after restart: %+v", fs)
	}
	evs := b.Units.RegionEvents("AMB-P")
	if len(evs) != 1 || evs[0].RegionID != "rs-p" || evs[0].Kind != tracking.RegionEnter || !evs[0].At.Equal(t0.Add(time.Second)) {
		t.Fatalf("region events after restart: %+v", evs)
	}
	pts, err := b.Postgres.Track(ctx, "AMB-P", t0.Add(-time.Hour), time.Now(), 0)
	if err != nil || len(pts) != 2 {
		t.Fatalf("track after restart: %d points (%v)", len(pts), err)
	}
	// The API fence deleted is gone for good.
	if err := b.Units.DeleteGeofence(ctx, "rs-p", "admin"); err != nil {
		t.Fatal(err)
	}
}
