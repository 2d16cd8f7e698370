package app_test

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
	"siaga112/tracking/webhook"
)

// phoneClient issues a phone token and returns a client speaking with it.
func phoneClient(t *testing.T, admin *client) *client {
	t.Helper()
	var tok struct {
		Token string `json:"token"`
		Role  string `json:"role"`
	}
	admin.must("POST", "/api/tokens", map[string]any{"name": "kamailio-" + strings.ToLower(strings.ReplaceAll(t.Name(), "/", "-")), "role": "phone"}, 201, &tok)
	if tok.Token == "" {
		t.Fatal("no token in the answer")
	}
	return &client{t: t, base: admin.base, token: tok.Token, http: http.DefaultClient}
}

// raw posts a body of any type.
func (c *client) raw(method, path, contentType, body string) (int, []byte) {
	c.t.Helper()
	req, _ := http.NewRequest(method, c.base+path, strings.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := c.http.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// blockNumber marks n as a prank caller six times: blocked for a day.
func blockNumber(admin *client, n string) {
	for range 6 {
		admin.must("POST", "/api/calls", map[string]any{"number": n, "outcome": "prank"}, 201, nil)
	}
}

// The phone role: a token only, refused as a user; it reaches its four
// routes and nothing else.
func TestPhoneRole(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	if code, b := admin.do("POST", "/api/users", map[string]any{"name": "pbx", "role": "phone", "password": "a-long-password-1"}); code != 400 {
		t.Fatalf("phone user: %d %s", code, b)
	}
	ph := phoneClient(t, admin)
	for _, tc := range []struct {
		name, method, path string
		want               int
	}{
		{"admission", "GET", "/api/callers/0811/admission", 200},
		{"incidents", "GET", "/api/incidents", 403},
		{"calls list", "GET", "/api/calls", 403},
		{"caller", "GET", "/api/callers/0811", 403},
		{"location", "GET", "/api/callers/0811/location", 403},
		{"log a call", "POST", "/api/calls", 403},
		{"tokens", "GET", "/api/tokens", 403},
		{"units", "GET", "/api/units", 403},
		{"live", "GET", "/api/live", 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, b := ph.do(tc.method, tc.path, nil); code != tc.want {
				t.Fatalf("%d %s, want %d", code, b, tc.want)
			}
		})
	}
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "r1", "number": "0811", "event": "ringing"}, 202, nil)
}

// Every spelling of a blocked number is refused, the field's ones too.
func TestAdmissionSpellings(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, admin)
	blockNumber(admin, "081234567890")
	type answer struct {
		Number string     `json:"number"`
		Admit  bool       `json:"admit"`
		Reason string     `json:"reason"`
		Until  *time.Time `json:"until"`
	}
	for _, tc := range []struct{ name, spelling string }{
		{"national", "081234567890"},
		{"bare 62", "6281234567890"},
		{"plus 62 dashes", "+62 812-3456-7890"},
		{"0062", "0062812 3456 7890"},
		{"+62 (0)", "+62 (0)812 3456 7890"},
		{"field: +0", "+0812 3456 7890"},
		{"field: 00 0", "00 0812 3456 7890"},
		{"field: 0000 0", "0000 0812 3456 7890"},
		{"dots", "0812.3456.7890"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var a answer
			ph.must("GET", "/api/callers/"+strings.ReplaceAll(escapePath(tc.spelling), " ", "%20")+"/admission", nil, 200, &a)
			if a.Admit || a.Reason != "blocked" || a.Until == nil || a.Number != "081234567890" || time.Until(*a.Until) < 23*time.Hour {
				t.Fatalf("%+v", a)
			}
		})
	}
	var a answer
	ph.must("GET", "/api/callers/0899111222/admission", nil, 200, &a)
	if !a.Admit || a.Reason != "ok" || a.Until != nil {
		t.Fatalf("clean: %+v", a)
	}
	ph.must("GET", "/api/callers/anonymous/admission", nil, 200, &a)
	if !a.Admit || a.Reason != "withheld" {
		t.Fatalf("anonymous: %+v", a)
	}
	for _, bad := range []string{"%00", "0811%0D%0A", "%E2%80%AE0811", strings.Repeat("1", 300)} {
		if code, b := ph.do("GET", "/api/callers/"+bad+"/admission", nil); code != 400 || !strings.Contains(string(b), "number") {
			t.Errorf("admission of %q: %d %s", bad, code, b)
		}
	}
	code, b := ph.do("GET", "/api/callers/%3Cscript%3E/admission", nil)
	if code != 400 || !strings.Contains(string(b), `\"number\"`) && !strings.Contains(string(b), `"number"`) {
		t.Fatalf("markup: %d %s", code, b)
	}
	// The until of a blocked answer carries its zone.
	_, b = ph.do("GET", "/api/callers/081234567890/admission", nil)
	var m map[string]any
	json.Unmarshal(b, &m)
	if u, _ := m["until"].(string); !strings.HasSuffix(u, "Z") && !strings.Contains(u[10:], "+") {
		t.Fatalf("until %q has no zone", u)
	}
}

func escapePath(s string) string {
	return strings.NewReplacer("+", "%2B", "(", "%28", ")", "%29").Replace(s)
}

// A call's events in any order make one entry of GET /api/calls with the
// issue's fields; a repeat changes nothing; another number is 409; a
// rejected call can be logged but never as a prank.
func TestCallEventsMakeOneCall(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, admin)
	now := time.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }
	for _, e := range []map[string]any{
		{"call_id": "a84b4c76e66710@10.0.0.1", "number": "+62 812 0000 1111", "event": "ended", "reason": "bye", "at": at(-10 * time.Second)},
		{"call_id": "a84b4c76e66710@10.0.0.1", "number": "081200001111", "event": "ringing", "at": at(-60 * time.Second)},
		{"call_id": "a84b4c76e66710@10.0.0.1", "number": "6281200001111", "event": "answered", "at": at(-55 * time.Second)},
	} {
		ph.must("POST", "/api/calls/events", e, 202, nil)
	}
	var again struct {
		Changed, Persisted bool
	}
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "a84b4c76e66710@10.0.0.1", "number": "081200001111", "event": "answered", "at": at(-55 * time.Second)}, 202, &again)
	if again.Changed {
		t.Fatal("a repeated event changed the call")
	}
	if code, b := ph.do("POST", "/api/calls/events", map[string]any{"call_id": "a84b4c76e66710@10.0.0.1", "number": "0899", "event": "ended"}); code != 409 {
		t.Fatalf("another number: %d %s", code, b)
	}
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "rej-1", "number": "0813", "event": "rejected", "reason": "blocked"}, 202, nil)

	var list []map[string]any
	admin.must("GET", "/api/calls", nil, 200, &list)
	if len(list) != 2 {
		t.Fatalf("%d entries: %v", len(list), list)
	}
	c := list[0]
	keys := slices.Sorted(maps.Keys(c))
	want := []string{"answered_at", "at", "call_id", "duration_s", "ended_at", "number", "reason", "ringing_at", "state"}
	if !slices.Equal(keys, want) {
		t.Fatalf("fields %v, want %v", keys, want)
	}
	if c["state"] != "ended" || c["reason"] != "bye" || c["number"] != "081200001111" || c["duration_s"] != 45.0 || c["at"] != at(-60*time.Second) {
		t.Fatalf("%v", c)
	}
	if list[1]["state"] != "rejected" || list[1]["answered_at"] != nil || list[1]["duration_s"] != nil {
		t.Fatalf("rejected: %v", list[1])
	}
	// Classified: the outcome appears on the call, not as an entry.
	admin.must("POST", "/api/calls", map[string]any{"call_id": "a84b4c76e66710@10.0.0.1", "outcome": "emergency"}, 201, nil)
	if code, b := admin.do("POST", "/api/calls", map[string]any{"call_id": "a84b4c76e66710@10.0.0.1", "outcome": "information"}); code != 409 {
		t.Fatalf("classified twice: %d %s", code, b)
	}
	for _, o := range []string{"prank", "ghost"} {
		if code, b := admin.do("POST", "/api/calls", map[string]any{"call_id": "rej-1", "outcome": o}); code != 409 {
			t.Fatalf("a rejected call as %s: %d %s", o, code, b)
		}
	}
	var caller struct {
		PrankCalls int `json:"prank_calls"`
	}
	admin.must("GET", "/api/callers/0813", nil, 200, &caller)
	if caller.PrankCalls != 0 {
		t.Fatalf("the rejected call counted: %+v", caller)
	}
	if code, b := admin.do("POST", "/api/calls", map[string]any{"call_id": "nope", "outcome": "emergency"}); code != 404 {
		t.Fatalf("unknown call_id: %d %s", code, b)
	}
	admin.must("GET", "/api/calls", nil, 200, &list)
	if len(list) != 2 || list[0]["outcome"] != "emergency" || list[1]["outcome"] != nil {
		t.Fatalf("after classifying: %v", list)
	}
}

// Every refusal of an event is 400 naming its field.
func TestCallEventRefusals(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, admin)
	now := time.Now().UTC()
	ok := map[string]any{"call_id": "c1", "number": "0811", "event": "ringing"}
	with := func(k string, v any) map[string]any {
		m := maps.Clone(ok)
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	for _, tc := range []struct {
		name  string
		body  map[string]any
		field string
	}{
		{"no call_id", with("call_id", nil), "call_id"},
		{"long call_id", with("call_id", strings.Repeat("x", 201)), "call_id"},
		{"control character", with("call_id", "c1\x00"), "call_id"},
		{"newline", with("call_id", "c1\r\nX-Injected: 1"), "call_id"},
		{"unknown event", with("event", "transferred"), "event"},
		{"no number", with("number", "<b>0811</b>"), "number"},
		{"at not RFC 3339", with("at", "2026-01-01 10:00"), "at"},
		{"at ahead", with("at", now.Add(6*time.Minute).Format(time.RFC3339)), "at"},
		{"at old", with("at", now.Add(-25*time.Hour).Format(time.RFC3339)), "at"},
		{"unknown field", with("state", "ended"), "state"},
		{"forged outcome", with("outcome", "prank"), "outcome"},
		{"reason with control", with("reason", "a\x07"), "reason"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := ph.do("POST", "/api/calls/events", tc.body)
			if code != 400 || !strings.Contains(string(b), tc.field) {
				t.Fatalf("%d %s, want 400 naming %s", code, b, tc.field)
			}
		})
	}
	if code, b := ph.raw("POST", "/api/calls/events", "application/json", `{"call_id":"`+strings.Repeat("x", 2<<20)+`"}`); code != 400 && code != 413 {
		t.Fatalf("huge body: %d %.200s", code, b)
	}
	// Markup is text: kept and answered as JSON, never interpreted.
	var out struct {
		Call struct {
			CallID string `json:"call_id"`
		} `json:"call"`
	}
	ph.must("POST", "/api/calls/events", with("call_id", `<script>alert("x")</script>@pbx`), 202, &out)
	if out.Call.CallID != `<script>alert("x")</script>@pbx` {
		t.Fatalf("%+v", out)
	}
}

const amlV1 = `A"ML=1;lt=-6.11500;lg=+106.15000;rd=20;top=20260101093000;lc=68;pm=G;si=510109876543210;ei=490154203237518;mcc=510;mnc=10;ml=128`

// AML by SMS and HTTPS, and the caller's location read back.
func TestAMLAndCallerLocation(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, admin)
	if len(amlV1) != 128 {
		t.Fatalf("the sample is %d bytes", len(amlV1))
	}
	// The sample's fix is long past: a fresh one is offered (the newest of 24 h).
	fresh := strings.Replace(amlV1, "20260101093000", time.Now().UTC().Add(-time.Minute).Format("20060102150405"), 1)
	for _, tc := range []struct {
		name, ct, query, body string
		want                  int
		has                   string
	}{
		{"v1", "text/plain", "?number=%2B6281234567890", fresh + "\r\n", 202, `"located":true`},
		{"no position", "text/plain; charset=utf-8", "?number=0811", strings.Replace(strings.Replace(fresh, "pm=G", "pm=N", 1), "ml=128", "ml=128", 1), 202, ``},
		{"version 2 kept raw", "text/plain", "?number=0811", `A"ML=2;lt=1;x=<b>&amp;`, 202, `"located":false`},
		{"no prefix", "text/plain", "?number=0811", `hello`, 400, `A\"ML=`},
		{"wrong ml", "text/plain", "?number=0811", strings.Replace(fresh, "ml=128", "ml=127", 1), 400, "ml"},
		{"latitude", "text/plain", "?number=0811", strings.Replace(fresh, "lt=-6.11500", "lt=-96.1150", 1), 400, "lat"},
		{"bad number", "text/plain", "?number=%3Cb%3E", fresh, 400, "number"},
		{"no number", "text/plain", "", fresh, 400, "number"},
		{"NUL kept raw would break the store", "text/plain", "?number=0811", "A\"ML=2;lt=1\x00", 400, "control character"},
		{"not UTF-8", "text/plain", "?number=0811", "A\"ML=2;\xff\xfe", 400, "UTF-8"},
		{"escape sequence", "text/plain", "?number=0811", "A\"ML=2;\x1b[31m", 400, "control character"},
		{"number with CRLF", "text/plain", "?number=0811%0D%0AX-Injected:%201", fresh, 400, "number"},
		{"too big", "text/plain", "?number=0811", `A"ML=1;` + strings.Repeat("x", 2100), 413, "2048"},
		{"json", "application/json", "?number=0811", fresh, 415, "text/plain"},
		{"no type", "", "?number=0811", fresh, 415, "text/plain"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, b := ph.raw("POST", "/api/aml/sms"+tc.query, tc.ct, tc.body)
			if code != tc.want || !strings.Contains(string(b), tc.has) {
				t.Fatalf("%d %s, want %d with %s", code, b, tc.want, tc.has)
			}
		})
	}
	var loc map[string]any
	admin.must("GET", "/api/callers/0812-3456-7890/location", nil, 200, &loc)
	if loc["lat"] != -6.115 || loc["lon"] != 106.15 || loc["radius_m"] != 20.0 || loc["source"] != "aml-sms" || loc["method"] != "gnss" ||
		loc["confidence_pct"] != 68.0 || loc["number"] != "081234567890" {
		t.Fatalf("location %v", loc)
	}
	if code, _ := admin.do("GET", "/api/callers/0899/location", nil); code != 404 {
		t.Fatalf("no location: %d", code)
	}
	form := "device_number=%2B6289912345678&location_latitude=-6.12&location_longitude=106.16&location_time=" +
		itoa(time.Now().Add(-30*time.Second).UnixMilli()) + "&location_accuracy=12.5&location_source=wifi&extra=ignored"
	if code, b := ph.raw("POST", "/api/aml", "application/x-www-form-urlencoded", form); code != 202 {
		t.Fatalf("HTTPS: %d %s", code, b)
	}
	admin.must("GET", "/api/callers/089912345678/location", nil, 200, &loc)
	if loc["source"] != "aml-https" || loc["method"] != "wifi" || loc["radius_m"] != 12.5 || loc["confidence_pct"] != nil {
		t.Fatalf("HTTPS location %v", loc)
	}
	code, b := ph.raw("POST", "/api/aml", "application/x-www-form-urlencoded", "device_number=0811&location_latitude=91&location_longitude=1&location_accuracy=5")
	if code != 200 || !strings.Contains(string(b), `"located":false`) || !strings.Contains(string(b), "location_latitude") {
		t.Fatalf("HTTPS not located: %d %s", code, b)
	}
	if code, _ := ph.raw("POST", "/api/aml", "text/plain", form); code != 415 {
		t.Fatalf("HTTPS as text: %d", code)
	}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

// CAP and EIDO through the API; every CAP passes xmllint against the
// OASIS schema (fresh, acked, dispatched, closed).
func TestIncidentCAPAndEIDO(t *testing.T) {
	_, base := newAccountsApp(t, app.Config{PSAPID: "112.example.go.id"})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	var in incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "fire", "lat": -6.12, "lon": 106.15, "caller": "081311112222",
		"description": `Rumah terbakar <&"'> di gang sempit`}, 201, &in)
	get := func(query, accept string) (int, string, []byte) {
		req, _ := http.NewRequest("GET", base+"/api/incidents/"+in.ID+query, nil)
		req.Header.Set("Authorization", "Bearer "+agencyAdminToken)
		if accept != "" {
			req.Header.Set("Accept", accept)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Content-Type"), b
	}
	var caps [][]byte
	code, ct, b := get("?format=cap", "")
	if code != 200 || ct != "application/cap+xml" || !bytes.Contains(b, []byte("<msgType>Alert</msgType>")) ||
		!bytes.Contains(b, []byte("<sender>112.example.go.id</sender>")) || bytes.Contains(b, []byte("081311112222")) {
		t.Fatalf("CAP: %d %s %s", code, ct, b)
	}
	caps = append(caps, b)
	admin.must("POST", "/api/incidents/"+in.ID+"/close", map[string]any{"note": "padam"}, 200, nil)
	code, ct, b = get("", "application/cap+xml")
	if code != 200 || ct != "application/cap+xml" || !bytes.Contains(b, []byte("<msgType>Update</msgType>")) {
		t.Fatalf("CAP by Accept after closing: %d %s %s", code, ct, b)
	}
	caps = append(caps, b)
	code, ct, b = get("?format=eido", "")
	if code != 200 || !strings.HasPrefix(ct, "application/json") || !bytes.Contains(b, []byte("urn:emergency:uid:incidentid:"+in.ID+":112.example.go.id")) {
		t.Fatalf("EIDO: %d %s %s", code, ct, b)
	}
	code, _, b = get("?format=xml", "")
	if code != 400 || !bytes.Contains(b, []byte("json, geojson, cap, eido")) {
		t.Fatalf("other format: %d %s", code, b)
	}
	xmllintCAP(t, caps...)
}

// xmllintCAP validates each body against the OASIS CAP 1.2 schema.
func xmllintCAP(t *testing.T, bodies ...[]byte) {
	t.Helper()
	lint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv("SIAGA112_REQUIRE_ALL") == "1" {
			t.Fatal("xmllint is missing (Debian: libxml2-utils) and SIAGA112_REQUIRE_ALL=1")
		}
		t.Skip("xmllint is missing (Debian: libxml2-utils): the CAP bodies are not checked against the schema")
	}
	xsd, _ := filepath.Abs("../interop/testdata/CAP-v1.2.xsd")
	dir := t.TempDir()
	for i, b := range bodies {
		f := filepath.Join(dir, "cap"+itoa(int64(i))+".xml")
		os.WriteFile(f, b, 0o600)
		if out, err := exec.Command(lint, "--noout", "--schema", xsd, f).CombinedOutput(); err != nil {
			t.Fatalf("xmllint: %v\n%s\n%s", err, out, b)
		}
	}
	t.Logf("xmllint --schema CAP-v1.2.xsd: %d bodies valid", len(bodies))
}

// Two instances on one database: events of one call reach both, and each
// lists the one call and knows its number (409 on either).
func TestCallEventsAcrossInstances(t *testing.T) {
	db := pgtest.URL(t)
	_, baseA := newAccountsApp(t, app.Config{DB: db})
	_, baseB := newAccountsApp(t, app.Config{DB: db})
	adminA := &client{t: t, base: baseA, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, adminA)
	phB := &client{t: t, base: baseB, token: ph.token, http: http.DefaultClient}
	waitUntil(t, 5*time.Second, func() bool { c, _ := phB.do("GET", "/api/callers/0811/admission", nil); return c == 200 })
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "x1", "number": "0811", "event": "ringing"}, 202, nil)
	phB.must("POST", "/api/calls/events", map[string]any{"call_id": "x1", "number": "0811", "event": "answered"}, 202, nil)
	waitUntil(t, 3*time.Second, func() bool {
		c, _ := phB.do("POST", "/api/calls/events", map[string]any{"call_id": "x1", "number": "0899", "event": "ended"})
		return c == 409
	})
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "x1", "number": "0811", "event": "ended"}, 202, nil)
	for _, base := range []string{baseA, baseB} {
		adm := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
		waitUntil(t, 3*time.Second, func() bool {
			var list []map[string]any
			adm.must("GET", "/api/calls", nil, 200, &list)
			return len(list) == 1 && list[0]["state"] == "ended" && list[0]["answered_at"] != nil && list[0]["ringing_at"] != nil
		})
	}
	// Hostile text is data: stored and listed as sent.
	evil := `x'); DROP TABLE phone_calls;-- <b>&"`
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": evil, "number": "0812", "event": "rejected", "reason": "blocked'--"}, 202, nil)
	waitUntil(t, 3*time.Second, func() bool {
		var list []map[string]any
		adminA.must("GET", "/api/calls", nil, 200, &list)
		for _, c := range list {
			if c["call_id"] == evil && c["reason"] == "blocked'--" {
				return true
			}
		}
		return false
	})
	// B learnt the call: classifying it there works.
	waitUntil(t, 3*time.Second, func() bool {
		c, _ := (&client{t: t, base: baseB, token: agencyAdminToken, http: http.DefaultClient}).do("POST", "/api/calls", map[string]any{"call_id": "x1", "outcome": "information"})
		return c == 201
	})
}

// With the database unreachable an event is still 202, persisted false,
// and admission answers from memory.
func TestCallEventsDatabaseDown(t *testing.T) {
	db := pgtest.URL(t)
	proxy := pgtest.StartProxy(t, pgtest.Target(db))
	_, base := newAccountsApp(t, app.Config{DB: proxy.Via(db)})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	ph := phoneClient(t, admin)
	blockNumber(admin, "0877665544")
	proxy.Cut()
	var out struct {
		Persisted bool `json:"persisted"`
		Changed   bool `json:"changed"`
	}
	ph.must("POST", "/api/calls/events", map[string]any{"call_id": "d1", "number": "0811", "event": "ringing"}, 202, &out)
	if out.Persisted || !out.Changed {
		t.Fatalf("%+v", out)
	}
	start := time.Now()
	var a struct {
		Admit bool `json:"admit"`
	}
	ph.must("GET", "/api/callers/0877665544/admission", nil, 200, &a)
	if a.Admit || time.Since(start) > time.Second {
		t.Fatalf("admission with the database down: %+v after %v", a, time.Since(start))
	}
	// What only the database holds is unavailable, said so: not a 500.
	for _, path := range []string{"/api/calls", "/api/callers/0811/location"} {
		if code, b := admin.do("GET", path, nil); code != 503 || strings.Contains(string(b), "127.0.0.1") {
			t.Errorf("GET %s with the database down: %d %s, want 503 without the driver's words", path, code, b)
		}
	}
}

// capReceiver keeps what a CAP webhook received.
type capReceiver struct {
	mu     sync.Mutex
	bodies [][]byte
	heads  []http.Header
}

func (c *capReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	c.mu.Lock()
	c.bodies, c.heads = append(c.bodies, b), append(c.heads, r.Header.Clone())
	c.mu.Unlock()
}

func (c *capReceiver) got() ([][]byte, []http.Header) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return slices.Clone(c.bodies), slices.Clone(c.heads)
}

// A webhook of format cap receives incident events as CAP, signed over
// the XML; caller events cannot be CAP. Every CAP made passes the OASIS
// schema: fresh, acked, dispatched, closed, synthetic-free text with
// markup and Indonesian, and received by the webhook.
func TestCAPWebhookAndSchema(t *testing.T) {
	recv := &capReceiver{}
	hooks := httptest.NewServer(recv)
	defer hooks.Close()
	_, base := newAccountsApp(t, app.Config{WebhookPoll: 50 * time.Millisecond, WebhookAllowPrivate: true})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	const secret = "a-cap-webhook-secret-0123"
	if code, b := admin.do("POST", "/api/webhooks", map[string]any{"url": hooks.URL, "events": []string{"incident.created", "caller.blocked"}, "secret": secret, "format": "cap"}); code != 400 || !strings.Contains(string(b), "caller.blocked") {
		t.Fatalf("caller event as CAP: %d %s", code, b)
	}
	var hook struct {
		Format string `json:"format"`
	}
	admin.must("POST", "/api/webhooks", map[string]any{"url": hooks.URL, "events": []string{"incident.created", "incident.dispatched", "incident.closed"}, "secret": secret, "format": "cap"}, 201, &hook)
	if hook.Format != "cap" {
		t.Fatalf("format %q", hook.Format)
	}
	var in incidentJSON
	admin.must("POST", "/api/incidents", map[string]any{"category": "medical", "lat": -6.12, "lon": 106.15, "caller": "081311112222",
		"description": `Ibu <b>pingsan</b> & "tidak sadar" — jalan Ki'Mas`}, 201, &in)
	capOf := func() []byte {
		req, _ := http.NewRequest("GET", base+"/api/incidents/"+in.ID+"?format=cap", nil)
		req.Header.Set("Authorization", "Bearer "+agencyAdminToken)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return b
	}
	made := [][]byte{capOf()}
	admin.must("POST", "/api/incidents/"+in.ID+"/ack", nil, 200, nil)
	made = append(made, capOf())
	admin.must("POST", "/api/incidents/"+in.ID+"/close", map[string]any{"note": "selesai"}, 200, nil)
	made = append(made, capOf())
	waitUntil(t, 5*time.Second, func() bool { b, _ := recv.got(); return len(b) >= 2 })
	bodies, heads := recv.got()
	for i, b := range bodies {
		h := heads[i]
		if h.Get("Content-Type") != "application/cap+xml" || h.Get("X-Siaga112-Event") == "" || h.Get("X-Siaga112-Delivery") == "" ||
			!webhook.Verify(secret, b, h.Get("X-Siaga112-Signature")) {
			t.Fatalf("delivery %d: headers %v, signature over the XML %v", i, h, webhook.Verify(secret, b, h.Get("X-Siaga112-Signature")))
		}
		if bytes.Contains(b, []byte("081311112222")) || !bytes.Contains(b, []byte("********2222")) {
			t.Fatalf("the caller is not masked:\n%s", b)
		}
	}
	xmllintCAP(t, append(made, bodies...)...)
}
