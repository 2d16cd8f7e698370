package web

import (
	"bytes"
	"net/http/httptest"
	"testing"

	"siaga112/tracking"
)

// FuzzDecodeBody: whatever a client sends as a write request's body, the
// strict decoder accepts it or answers with an invalid-input sentence; it
// never panics and never lets an unknown field through.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"category":"fire","lat":-6.11,"lon":106.17,"caller":"0811","description":"x"}`,
		`{"type":"ambulance","agency":"dinkes","callsign":"A 1"}`,
		`{"unit_ids":["AMB-1","AMB-2"],"by":"Budi"}`,
		`{"status":"en_route"}`,
		`{"by":"Ani","reason":"verified"}`,
		`{"lat":"north"}`, `[1,2]`, `{"a":1}`, `{}{}`, ``, `{"category":`,
	} {
		f.Add([]byte(s))
	}
	targets := []func() any{
		func() any { return &newIncidentBody{} },
		func() any { return &unitBody{} },
		func() any { return &dispatchBody{} },
		func() any { return &statusBody{} },
		func() any { return &liftBody{} },
		func() any { return &prankBody{} },
		func() any { return &loginBody{} },
		func() any { return &userBody{} },
		func() any { return &tokenBody{} },
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, newTarget := range targets {
			r := httptest.NewRequest("POST", "/api/x", bytes.NewReader(body))
			w := httptest.NewRecorder()
			err := decodeBody(w, r, newTarget())
			if err != nil && tracking.CodeOf(err) != tracking.CodeInvalid {
				t.Fatalf("body %q: error %v is not an invalid-input error", body, err)
			}
		}
	})
}
