package analytics

import (
	"encoding/json"
	"testing"
	"time"

	"siaga112/tracking"
)

// Expected values worked out by hand (nearest rank: ceil(p/100 × n)).
func TestSummarizeETAs(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 8, 0, 0, 0, time.UTC)
	trip := func(typ tracking.UnitType, model string, eta float64, actual time.Duration) tracking.ETATrip {
		tr := tracking.ETATrip{UnitType: typ, EtaModel: model, ETASeconds: eta, DispatchedAt: t0}
		if actual >= 0 {
			tr.ArrivedAt = new(t0.Add(actual))
		}
		return tr
	}
	const none = -1
	tests := []struct {
		name  string
		trips []tracking.ETATrip
		want  string
	}{
		{"no trips", nil, `[]`},
		{"one group", []tracking.ETATrip{
			trip(tracking.Ambulance, "detour", 300, 360*time.Second), // +60 s, +16.67 %
			trip(tracking.Ambulance, "detour", 200, 100*time.Second), // −100 s, −100 %
			trip(tracking.Ambulance, "detour", 100, 100*time.Second), // 0
			trip(tracking.Ambulance, "detour", 400, 500*time.Second), // +100 s, +20 %
			trip(tracking.Ambulance, "detour", 50, 0),                // −50 s, no %: it was there
			trip(tracking.Ambulance, "detour", 50, none),
		},
			// errors sorted −100 −50 0 60 100: ranks 3 and 5; % −100 0 16.7 20: ranks 2 and 4;
			// |errors| 0 50 60 100 100; |%| 0 16.7 20 100.
			`[{"type":"ambulance","eta_model":"detour","count":5,"without_fix":1,"error_p50_s":0,"error_p90_s":100,` +
				`"error_p50_pct":0,"error_p90_pct":20,"abs_error_p50_s":60,"abs_error_p90_s":100,"abs_error_p50_pct":16.7,"abs_error_p90_pct":100}]`},
		{"groups by type then model", []tracking.ETATrip{
			trip(tracking.Police, "road", 60, 90*time.Second),
			trip(tracking.FireTruck, "road", 60, none),
			trip(tracking.Ambulance, "road", 60, 30*time.Second),
			trip(tracking.Ambulance, "detour", 60, 60*time.Second),
		},
			`[{"type":"ambulance","eta_model":"detour","count":1,"without_fix":0,"error_p50_s":0,"error_p90_s":0,"error_p50_pct":0,"error_p90_pct":0,"abs_error_p50_s":0,"abs_error_p90_s":0,"abs_error_p50_pct":0,"abs_error_p90_pct":0},` +
				`{"type":"ambulance","eta_model":"road","count":1,"without_fix":0,"error_p50_s":-30,"error_p90_s":-30,"error_p50_pct":-100,"error_p90_pct":-100,"abs_error_p50_s":30,"abs_error_p90_s":30,"abs_error_p50_pct":100,"abs_error_p90_pct":100},` +
				`{"type":"fire_truck","eta_model":"road","count":0,"without_fix":1,"error_p50_s":null,"error_p90_s":null,"error_p50_pct":null,"error_p90_pct":null,"abs_error_p50_s":null,"abs_error_p90_s":null,"abs_error_p50_pct":null,"abs_error_p90_pct":null},` +
				`{"type":"police","eta_model":"road","count":1,"without_fix":0,"error_p50_s":30,"error_p90_s":30,"error_p50_pct":33.3,"error_p90_pct":33.3,"abs_error_p50_s":30,"abs_error_p90_s":30,"abs_error_p50_pct":33.3,"abs_error_p90_pct":33.3}]`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := json.Marshal(SummarizeETAs(tt.trips))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}
