package postgres

import (
	"context"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/storetest"
)

func TestPlacesContract(t *testing.T) {
	storetest.RunPlaces(t, func(t *testing.T) storetest.Placer { return openTest(t, testURL(t), Config{}) })
}

// The book outlives the server, and the database refuses what it must
// never hold even if a writer let it through.
func TestPlacesKeptAndChecked(t *testing.T) {
	ctx := context.Background()
	u := testURL(t)
	s, err := Open(ctx, u, Config{})
	if err != nil {
		t.Fatal(err)
	}
	e := tracking.PlaceEntry{ID: "p-kept", Name: "Gapura Kaibon", Aliases: []string{"Gerbang Kaibon"}, Kind: "landmark", Lat: -6.0335, Lon: 106.1571,
		CreatedAt: time.Now().UTC().Truncate(time.Microsecond), CreatedBy: "Budi"}
	e.UpdatedAt, e.UpdatedBy = e.CreatedAt, "Budi"
	c := tracking.Change{Audit: tracking.Audit{Action: "place.created", Actor: "Budi"}, Action: "created", At: e.CreatedAt,
		Records: []tracking.Record{tracking.PlaceRecord(e, false)}}
	if err := tracking.Apply(s, c); err != nil {
		t.Fatal(err)
	}
	s.Close(ctx)
	again := openTest(t, u, Config{})
	rs, _, err := again.Records(ctx, 0, tracking.RecordPlace)
	if err != nil || len(rs) != 1 || rs[0].Version == 0 {
		t.Fatalf("after a restart: %+v (%v)", rs, err)
	}
	if got := rs[0].Place; got.Name != "Gapura Kaibon" || got.Aliases[0] != "Gerbang Kaibon" || !got.CreatedAt.Equal(e.CreatedAt) {
		t.Fatalf("after a restart: %+v", got)
	}
	for _, bad := range []func(*tracking.PlaceEntry){
		func(e *tracking.PlaceEntry) { e.ID = "reverse" },
		func(e *tracking.PlaceEntry) { e.ID = "a b" },
		func(e *tracking.PlaceEntry) { e.Lat, e.Lon = 0, 0 },
		func(e *tracking.PlaceEntry) { e.Lat = 91 },
		func(e *tracking.PlaceEntry) { e.Kind = "castle" },
		func(e *tracking.PlaceEntry) { e.Name = " " },
	} {
		x := e
		x.ID = "p-bad"
		bad(&x)
		c := tracking.Change{Audit: tracking.Audit{Action: "place.created", Actor: "t"}, Action: "created", At: x.CreatedAt,
			Records: []tracking.Record{tracking.PlaceRecord(x, false)}}
		if err := tracking.Apply(again, c); err == nil {
			t.Errorf("the database took %+v", x)
		}
	}
}
