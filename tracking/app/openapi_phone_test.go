package app_test

import (
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3filter"
)

// CAP answers are XML: the validator reads them as text (a string).
func init() {
	openapi3filter.RegisterBodyDecoder("application/cap+xml", openapi3filter.PlainBodyDecoder)
}

// phone walks the phone edge's routes: admission, call events, AML and
// the caller's location, CAP and EIDO, and the phone token's refusals.
func (s *walkState) phone() {
	w, d := s.w, s.dispatcher
	s.phoneToken = s.token("walk-kamailio", "phone")
	ph := s.phoneToken
	w.do(call{as: ph, op: "GET /api/callers/{number}/admission", args: []string{"+62 812-7777-0001"}, want: 200}) // blocked by the calls section
	w.do(call{as: ph, op: "GET /api/callers/{number}/admission", args: []string{"0812 9999 0009"}, want: 200})
	w.do(call{as: d, op: "GET /api/callers/{number}/admission", args: []string{"anonymous"}, want: 200})
	w.do(call{as: ph, op: "GET /api/callers/{number}/admission", args: []string{"bukan-nomor"}, want: 400})

	ev := "POST /api/calls/events"
	now := time.Now().UTC()
	w.do(call{as: ph, op: ev, body: js(map[string]string{"call_id": "walk-1@edge", "number": "081299990003", "event": "ringing", "at": now.Add(-time.Minute).Format(time.RFC3339)}), want: 202})
	w.do(call{as: ph, op: ev, body: `{"call_id":"walk-1@edge","number":"081299990003","event":"answered"}`, want: 202})
	w.do(call{as: ph, op: ev, body: `{"call_id":"walk-1@edge","number":"081299990003","event":"answered"}`, want: 202})
	w.do(call{as: ph, op: ev, body: `{"call_id":"walk-1@edge","number":"081299990004","event":"ended"}`, want: 409})
	w.do(call{as: ph, op: ev, body: `{"call_id":"walk-2@edge","number":"081277770001","event":"rejected","reason":"blocked"}`, want: 202})
	w.do(call{as: ph, op: ev, body: `{"call_id":"walk-3","number":"0812","event":"transferred"}`, want: 400})
	w.do(call{as: d, op: "POST /api/calls", body: `{"call_id":"walk-1@edge","outcome":"emergency"}`, want: 201})
	w.do(call{as: d, op: "POST /api/calls", body: `{"call_id":"walk-2@edge","outcome":"prank"}`, want: 409})
	w.do(call{as: d, op: "POST /api/calls", body: `{"call_id":"walk-9","outcome":"prank"}`, want: 404})
	w.do(call{as: d, op: "GET /api/calls", want: 200})

	sms := "POST /api/aml/sms"
	fix := now.Add(-time.Minute).Format("20060102150405")
	body := `A"ML=1;lt=-6.11500;lg=+106.15000;rd=20;top=` + fix + `;lc=68;pm=G;si=510109876543210;ei=490154203237518;mcc=510;mnc=10;ml=128`
	w.do(call{as: ph, op: sms, query: "number=081299990003", ctype: "text/plain", body: body, want: 202})
	w.do(call{as: ph, op: sms, query: "number=081299990003", ctype: "text/plain", body: strings.Replace(body, "ml=128", "ml=12", 1), want: 400})
	w.do(call{as: ph, op: sms, query: "number=081299990003", ctype: "text/plain", body: `A"ML=1;` + strings.Repeat("x", 2100), want: 413})
	w.do(call{as: ph, op: sms, query: "number=081299990003", ctype: "application/json", body: `{}`, want: 415})
	aml := "POST /api/aml"
	form := "device_number=081299990005&location_latitude=-6.12&location_longitude=106.16&location_accuracy=12&location_source=wifi&location_time=" +
		strings.TrimSpace(itoa(now.Add(-time.Minute).UnixMilli()))
	w.do(call{as: ph, op: aml, ctype: "application/x-www-form-urlencoded", body: form, want: 202})
	w.do(call{as: ph, op: aml, ctype: "application/x-www-form-urlencoded", body: "device_number=081299990005", want: 200})
	w.do(call{as: ph, op: aml, ctype: "application/x-www-form-urlencoded", body: "device_number=%zz", want: 400})
	w.do(call{as: ph, op: aml, ctype: "application/x-www-form-urlencoded", body: strings.Repeat("a", 9000), want: 413})
	w.do(call{as: ph, op: aml, ctype: "text/plain", body: form, want: 415})
	loc := "GET /api/callers/{number}/location"
	w.do(call{as: d, op: loc, args: []string{"+6281299990003"}, want: 200})
	w.do(call{as: d, op: loc, args: []string{"081299990009"}, want: 404})
	w.do(call{as: d, op: loc, args: []string{"nomor"}, want: 400})

	in := "GET /api/incidents/{id}"
	w.do(call{as: d, op: in, args: []string{s.incident}, query: "format=cap", want: 200})
	w.do(call{as: d, op: in, args: []string{s.incident}, header: map[string]string{"Accept": "application/cap+xml"}, want: 200})
	w.do(call{as: d, op: in, args: []string{s.incident}, query: "format=eido", want: 200})
	w.do(call{as: d, op: in, args: []string{s.incident}, query: "format=xml", want: 400})

	// A CAP webhook takes incident events only.
	var hook struct{ ID string }
	w.do(call{as: s.admin, op: "POST /api/webhooks", body: `{"url":"http://127.0.0.1:9/cap","events":["incident.created"],"secret":"walk-secret-0123456789","format":"cap"}`, want: 201}).decode(w.t, &hook)
	w.do(call{as: s.admin, op: "DELETE /api/webhooks/{id}", args: []string{hook.ID}, want: 204})
	w.do(call{as: s.admin, op: "POST /api/webhooks", body: `{"url":"http://127.0.0.1:9/cap","events":["caller.blocked"],"secret":"walk-secret-0123456789","format":"cap"}`, want: 400})
	w.do(call{as: s.admin, op: "POST /api/webhooks", body: `{"url":"http://127.0.0.1:9/cap","events":["incident.created"],"secret":"walk-secret-0123456789","format":"xml"}`, want: 400})

	// The phone token reaches its routes only.
	s.sweep(ph, 403, "POST /api/login", "POST /api/logout", "GET /healthz", "POST /pub",
		"GET /api/callers/{number}/admission", ev, sms, aml)
}
