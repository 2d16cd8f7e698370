package app_test

import (
	"net/url"
	"strings"
	"time"
)

// The walk's calls, by area of the API. Each section makes what it needs
// (and what later sections use) through the API itself.

func (s *walkState) operations() {
	w, admin := s.w, s.admin
	w.do(call{as: anonymous, op: "GET /healthz", want: 200})
	w.do(call{as: admin, op: "GET /healthz", want: 200})
	w.do(call{as: admin, op: "GET /metrics", want: 200})
	w.do(call{as: anonymous, op: "GET /metrics", want: 401})
	w.do(call{as: admin, op: "GET /api/config", want: 200})
	s.cached("GET /api/openapi.json", "")
}

// cached walks the conditional and range answers of a document served
// with a validator.
func (s *walkState) cached(op, query string) {
	w, admin := s.w, s.admin
	a := w.do(call{as: admin, op: op, query: query, want: 200})
	etag := a.header.Get("ETag")
	w.do(call{as: admin, op: op, query: query, header: map[string]string{"If-None-Match": etag}, want: 304})
	w.do(call{as: admin, op: op, query: query, header: map[string]string{"Range": "bytes=0-9"}, want: 206})
	w.do(call{as: admin, op: op, query: query, header: map[string]string{"If-Match": `"other"`}, want: 412})
	w.do(call{as: admin, op: op, query: query, header: map[string]string{"Range": "bytes=999999999-"}, want: 416})
}

// signIn opens a browser session for name.
func (s *walkState) signIn(name, password string) *principal {
	p := newSession()
	p.name = name
	s.w.do(call{as: p, op: "POST /api/login", body: js(map[string]string{"name": name, "password": password}), want: 200})
	u, _ := url.Parse(s.w.base)
	for _, c := range p.jar.Cookies(u) {
		if c.Name == "siaga112_csrf" {
			p.csrf = c.Value
		}
	}
	if p.csrf == "" {
		s.w.t.Fatalf("signing in %s set no CSRF cookie", name)
	}
	return p
}

// token issues a bearer token of role.
func (s *walkState) token(name, role string) *principal {
	var v struct{ Token string }
	s.w.do(call{as: s.admin, op: "POST /api/tokens", body: js(map[string]string{"name": name, "role": role}), want: 201}).decode(s.w.t, &v)
	return &principal{name: name, bearer: v.Token}
}

func (s *walkState) accounts() {
	w, admin := s.w, s.admin
	s.dispatcher = s.token("walk-dispatcher", "dispatcher")
	s.planner = s.token("walk-planner", "planner")
	s.flooder = s.token("walk-flooder", "dispatcher")
	w.do(call{as: admin, op: "POST /api/tokens", body: `{"name":"walk-x","role":"chief"}`, want: 400})
	w.do(call{as: s.dispatcher, op: "POST /api/tokens", body: `{"name":"walk-y","role":"planner"}`, want: 403})
	spare := s.token("walk-spare", "planner")
	var toks []struct{ ID, Name string }
	w.do(call{as: admin, op: "GET /api/tokens", want: 200}).decode(w.t, &toks)
	for _, tk := range toks {
		if tk.Name == spare.name {
			w.do(call{as: admin, op: "DELETE /api/tokens/{id}", args: []string{tk.ID}, want: 204})
			w.do(call{as: admin, op: "DELETE /api/tokens/{id}", args: []string{tk.ID}, want: 404})
		}
	}

	w.do(call{as: admin, op: "POST /api/users", body: `{"name":"walk-dinkes","role":"agency","agency":"dinkes","password":"sehat-selalu-2026"}`, want: 201})
	w.do(call{as: admin, op: "POST /api/users", body: `{"name":"walk-desk","role":"dispatcher","password":"siaga-112-serang"}`, want: 201})
	w.do(call{as: admin, op: "POST /api/users", body: `{"name":"walk-gone","role":"planner","password":"sementara-saja-1"}`, want: 201})
	w.do(call{as: admin, op: "POST /api/users", body: `{"name":"walk-desk2","role":"dispatcher"}`, want: 400})
	w.do(call{as: admin, op: "POST /api/users", body: `{"name":"WALK-DISPATCHER","role":"dispatcher","password":"siaga-112-serang"}`, want: 409})
	w.do(call{as: admin, op: "POST /api/tokens", body: `{"name":"walk-desk","role":"dispatcher"}`, want: 409})
	w.do(call{as: admin, op: "GET /api/users", want: 200})
	w.do(call{as: admin, op: "GET /api/users/{name}", args: []string{"walk-desk"}, want: 200})
	w.do(call{as: admin, op: "GET /api/users/{name}", args: []string{"nobody-here"}, want: 404})
	w.do(call{as: admin, op: "PATCH /api/users/{name}", args: []string{"walk-gone"}, body: `{"disabled":true}`, want: 200})
	w.do(call{as: admin, op: "PATCH /api/users/{name}", args: []string{"walk-gone"}, body: `{}`, want: 400})
	w.do(call{as: admin, op: "PATCH /api/users/{name}", args: []string{"nobody-here"}, body: `{"disabled":true}`, want: 404})

	w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-gone","password":"sementara-saja-1"}`, want: 403})
	w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-desk","password":"wrong-password"}`, want: 401})
	w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-desk"`, want: 400})
	w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-desk","password":"siaga-112-serang"}`,
		header: map[string]string{"Origin": "https://evil.example"}, want: 403})
	for i := 0; ; i++ { // 3 free, then 1 s, 2 s, 4 s… (a slow hash may outlast the first wait)
		if a := w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-guess","password":"guess"}`, oneOf: []int{401, 429}}); a.status == 429 || i > 12 {
			break
		}
	}
	w.do(call{as: newSession(), op: "POST /api/login", body: `{"name":"walk-guess","password":"guess"}`, want: 429})

	w.do(call{as: admin, op: "DELETE /api/users/{name}", args: []string{"walk-gone"}, want: 204})
	w.do(call{as: admin, op: "DELETE /api/users/{name}", args: []string{"walk-gone"}, want: 404})

	s.agency = s.signIn("walk-dinkes", "sehat-selalu-2026")
	s.agency.name = "agency user"
	s.dispatcherSession = s.signIn("walk-desk", "siaga-112-serang")
	w.do(call{as: s.agency, op: "GET /api/me", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/me", want: 200})
	w.do(call{as: anonymous, op: "GET /api/me", want: 401})
	w.do(call{as: s.agency, op: "GET /api/users", want: 403})

	// Logout: without the session's CSRF token the session goes on.
	out := s.signIn("walk-desk", "siaga-112-serang")
	csrf := out.csrf
	out.csrf = ""
	w.do(call{as: out, op: "POST /api/logout", want: 403})
	out.csrf = csrf
	w.do(call{as: out, op: "POST /api/logout", want: 204})
	w.do(call{as: anonymous, op: "POST /api/logout", want: 204})
	// A cookie-borne write without X-CSRF-Token.
	w.do(call{as: &principal{name: "session without CSRF", jar: s.dispatcherSession.jar}, op: "POST /api/calls",
		body: `{"number":"081200000001","outcome":"information"}`, want: 403})
}

// device registers a unit and returns its tracker's Basic credentials.
func (s *walkState) device(id, typ, agency string) *principal {
	var v struct {
		Mqtt struct{ Username, Password string }
	}
	s.w.do(call{as: s.admin, op: "PUT /api/units/{id}", args: []string{id}, body: js(map[string]string{"type": typ, "agency": agency, "callsign": id}), want: 201}).decode(s.w.t, &v)
	p := &principal{name: "device " + id, basic: [2]string{v.Mqtt.Username, v.Mqtt.Password}}
	if s.devices == nil {
		s.devices = map[string]*principal{}
	}
	s.devices[id] = p
	return p
}

// fix reports a position from a unit's OwnTracks app.
func (s *walkState) fix(id string, lat, lon float64, tst int64) {
	s.w.do(call{as: s.devices[id], op: "POST /pub", body: js(map[string]any{"_type": "location", "lat": lat, "lon": lon, "tst": tst, "acc": 8, "vel": 30, "cog": 90, "batt": 80}), want: 200})
}

func (s *walkState) units() {
	w, admin := s.w, s.admin
	s.device("AMB-1", "ambulance", "dinkes")
	s.device("AMB-2", "ambulance", "dinkes")
	s.device("AMB-3", "ambulance", "dinkes")
	s.device("AMB-9", "ambulance", "dinkes")
	s.device("RSC-1", "rescue", "bpbd")
	w.do(call{as: admin, op: "PUT /api/units/{id}", args: []string{"AMB-1"}, body: `{"type":"ambulance","agency":"dinkes","callsign":"Ambulans 1","tracker_id":"T-0001"}`, want: 200})
	w.do(call{as: admin, op: "PUT /api/units/{id}", args: []string{"AMB-2"}, body: `{"type":"ambulance","tracker_id":"T-0001"}`, want: 409})
	w.do(call{as: admin, op: "PUT /api/units/{id}", args: []string{"AMB-2"}, body: `{"type":"tank"}`, want: 400})
	w.do(call{as: s.dispatcher, op: "PUT /api/units/{id}", args: []string{"AMB-2"}, body: `{"type":"ambulance"}`, want: 403})

	// Fixes over OwnTracks HTTP, a region transition, and its refusals.
	t0 := time.Now().Unix() - 120
	for i, id := range []string{"AMB-1", "AMB-2", "AMB-3", "AMB-9", "RSC-1"} {
		s.fix(id, -6.1200, 106.1500+0.002*float64(i), t0)
	}
	s.fix("AMB-1", -6.1180, 106.1530, t0+60)
	w.do(call{as: s.devices["AMB-1"], op: "POST /pub", body: js(map[string]any{"_type": "transition", "event": "enter", "desc": "RSUD", "t": "c", "tst": t0 + 61, "wtst": 1, "lat": -6.118, "lon": 106.153, "acc": 10}), want: 200})
	w.do(call{as: s.devices["AMB-1"], op: "POST /pub", body: js(map[string]any{"_type": "location", "lat": 0, "lon": 0, "tst": t0}), want: 200}) // null island: dropped, 200 []
	w.do(call{as: anonymous, op: "POST /pub", body: `{"_type":"location","lat":-6.12,"lon":106.15}`, want: 401})
	w.do(call{as: &principal{name: "wrong device password", basic: [2]string{"AMB-1", "not-the-password"}}, op: "POST /pub", body: `{"_type":"location","lat":-6.12,"lon":106.15}`, want: 401})
	w.do(call{as: s.devices["AMB-1"], op: "POST /pub", header: map[string]string{"X-Limit-U": "AMB-2"}, body: `{"_type":"location","lat":-6.12,"lon":106.15}`, want: 400})
	for i := 0; ; i++ { // the unit's bucket: 5/s, bursts of 30
		a := w.do(call{as: s.devices["AMB-9"], op: "POST /pub", body: `{"_type":"status"}`, oneOf: []int{200, 429}})
		if a.status == 429 || i > 60 {
			break
		}
	}

	w.do(call{as: s.dispatcher, op: "GET /api/units", want: 200})
	w.do(call{as: s.agency, op: "GET /api/units", want: 403})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}", args: []string{"AMB-1"}, want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}", args: []string{"NOPE-1"}, want: 404})
	q := "lat=-6.1210&lon=106.1560&type=ambulance"
	w.do(call{as: s.dispatcher, op: "GET /api/units/nearest", query: q, want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/nearest", query: q + "&route=1", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/nearest", query: q + "&format=geojson", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/nearest", query: q + "&format=geojson&route=1&limit=2", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/nearest", query: "lat=-6.12&lon=106.15", want: 400})
	w.do(call{as: s.dispatcher, op: "GET /api/coverage/isochrones", query: "type=ambulance&minutes=3,6", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/coverage/isochrones", query: "type=ambulance&minutes=0", want: 400})

	w.do(call{as: s.dispatcher, op: "POST /api/units/{id}/status", args: []string{"AMB-3"}, body: `{"status":"out_of_service"}`, want: 200})
	w.do(call{as: s.dispatcher, op: "POST /api/units/{id}/status", args: []string{"AMB-3"}, body: `{"status":"asleep"}`, want: 400})
	w.do(call{as: s.dispatcher, op: "POST /api/units/{id}/status", args: []string{"NOPE-1"}, body: `{"status":"available"}`, want: 404})
	var cred struct {
		Mqtt struct{ Username, Password string }
	}
	w.do(call{as: admin, op: "POST /api/units/{id}/credentials", args: []string{"AMB-2"}, want: 200}).decode(w.t, &cred)
	s.devices["AMB-2"].basic[1] = cred.Mqtt.Password
	w.do(call{as: admin, op: "POST /api/units/{id}/credentials", args: []string{"NOPE-1"}, want: 404})

	w.do(call{as: admin, op: "PATCH /api/units/{id}", args: []string{"AMB-3"}, body: `{"disabled":true}`, want: 200})
	w.do(call{as: admin, op: "PATCH /api/units/{id}", args: []string{"AMB-3"}, body: `{}`, want: 400})
	w.do(call{as: admin, op: "PATCH /api/units/{id}", args: []string{"NOPE-1"}, body: `{"disabled":true}`, want: 404})
	w.do(call{as: admin, op: "DELETE /api/units/{id}", args: []string{"AMB-3"}, want: 204})
	w.do(call{as: admin, op: "DELETE /api/units/{id}", args: []string{"AMB-3"}, want: 404})

	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/track", args: []string{"AMB-1"}, want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/track", args: []string{"AMB-3"}, want: 200}) // deleted: its history stays
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/track", args: []string{"AMB-1"}, query: "from=yesterday", want: 400})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/track", args: []string{"NEVER-1"}, want: 404})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/events", args: []string{"AMB-1"}, want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/events", args: []string{"AMB-1"}, query: "from=soon", want: 400})
	w.do(call{as: s.dispatcher, op: "GET /api/units/{id}/events", args: []string{"NEVER-1"}, want: 404})
}

func (s *walkState) areas() {
	w := s.w
	w.do(call{as: s.planner, op: "GET /api/locate", query: "lat=-6.1200&lon=106.1500", want: 200})
	w.do(call{as: s.planner, op: "GET /api/locate", query: "lat=north&lon=106.15", want: 400})
	w.do(call{as: s.planner, op: "GET /api/locate", query: "lat=-6.1900&lon=106.8200", want: 422})
	s.cached("GET /api/areas", "")
	w.do(call{as: s.planner, op: "GET /api/areas", query: "level=kecamatan", want: 200})
	w.do(call{as: s.planner, op: "GET /api/areas", query: "level=desa", want: 400})
}

// basemap reads tiles of the offline map drawn from the walk's --osm town
// (tile 52092/33884 at zoom 16 holds -6.12, 106.15).
func (s *walkState) basemap() {
	w := s.w
	a := w.do(call{as: s.dispatcher, op: "GET /basemap/{z}/{x}/{y}", args: []string{"16", "52092", "33884.pbf"}, want: 200})
	if len(a.body) == 0 {
		w.t.Error("the town's tile is empty")
	}
	w.do(call{as: s.dispatcher, op: "GET /basemap/{z}/{x}/{y}", args: []string{"16", "52092", "33884.pbf"},
		header: map[string]string{"If-None-Match": a.header.Get("ETag")}, want: 304})
	w.do(call{as: s.planner, op: "GET /basemap/{z}/{x}/{y}", args: []string{"3", "0", "0.pbf"}, want: 200}) // outside: empty
	w.do(call{as: s.planner, op: "GET /basemap/{z}/{x}/{y}", args: []string{"21", "0", "0.pbf"}, want: 400})
	w.do(call{as: s.planner, op: "GET /basemap/{z}/{x}/{y}", args: []string{"2", "4", "0.pbf"}, want: 400})
}

func (s *walkState) geofences() {
	w, admin := s.w, s.admin
	one := `{"type":"FeatureCollection","features":[{"type":"Feature","id":"posko-1","geometry":{"type":"Point","coordinates":[106.1600,-6.1200]},"properties":{"name":"Posko 1","kind":"station","agency":"dinkes","radius_m":80}}]}`
	a := w.do(call{as: admin, op: "POST /api/geofences", body: one, ctype: "application/geo+json", want: 201})
	if loc := a.header.Get("Location"); loc != "/api/geofences/posko-1" {
		w.t.Errorf("Location %q", loc)
	}
	two := `{"type":"FeatureCollection","features":[
		{"type":"Feature","id":"depot-1","geometry":{"type":"Polygon","coordinates":[[[106.150,-6.110],[106.152,-6.110],[106.152,-6.112],[106.150,-6.112],[106.150,-6.110]]]},"properties":{"name":"Depot","kind":"depot"}},
		{"type":"Feature","geometry":{"type":"Point","coordinates":[106.17,-6.13]},"properties":{"id":"rs-2","name":"RS 2","kind":"hospital","radius_m":120}}]}`
	w.do(call{as: admin, op: "POST /api/geofences", body: two, want: 201})
	w.do(call{as: admin, op: "POST /api/geofences", body: `{"type":"FeatureCollection","features":[{"type":"Feature","geometry":null,"properties":{"name":"x","kind":"moon"}}]}`, want: 400})
	w.do(call{as: s.dispatcher, op: "POST /api/geofences", body: one, want: 403})
	w.do(call{as: s.dispatcher, op: "GET /api/geofences", want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/geofences/{id}", args: []string{"depot-1"}, want: 200})
	w.do(call{as: s.dispatcher, op: "GET /api/geofences/{id}", args: []string{"nowhere"}, want: 404})
	w.do(call{as: admin, op: "DELETE /api/geofences/{id}", args: []string{"depot-1"}, want: 204})
	w.do(call{as: admin, op: "DELETE /api/geofences/{id}", args: []string{"depot-1"}, want: 404})
	w.do(call{as: admin, op: "DELETE /api/geofences/{id}", args: []string{"rsud-file"}, want: 409})
}

func (s *walkState) places() {
	w, d := s.w, s.dispatcher
	w.do(call{as: d, op: "GET /api/places", query: "q=sudirman", want: 200})
	w.do(call{as: d, op: "GET /api/places", query: "q=sudirman+%26+ahmad+yani&lat=-6.12&lon=106.155&limit=5", want: 200})
	w.do(call{as: d, op: "GET /api/places", query: "q=puskesmas", want: 200})
	w.do(call{as: d, op: "GET /api/places", query: "q=+", want: 400})
	w.do(call{as: d, op: "GET /api/places/reverse", query: "lat=-6.1201&lon=106.1551", want: 200})
	w.do(call{as: d, op: "GET /api/places/reverse", query: "lat=-6.1900&lon=106.8200", want: 422})
	w.do(call{as: d, op: "GET /api/places/reverse", query: "lat=-6.12", want: 400})
	a := w.do(call{as: d, op: "POST /api/places", body: `{"name":"Posko Banjir Kaligandu","aliases":["Tenda Biru"],"kind":"facility","lat":-6.1107,"lon":106.1778}`, want: 201})
	s.place = strings.TrimPrefix(createdID(w.t, a), "placebook:")
	w.do(call{as: d, op: "POST /api/places", body: `{"name":"Monas","lat":-6.1754,"lon":106.8272}`, want: 422})
	w.do(call{as: d, op: "POST /api/places", body: `{"name":"  ","lat":-6.11,"lon":106.17}`, want: 400})
	w.do(call{as: s.planner, op: "POST /api/places", body: `{"name":"Posko","lat":-6.11,"lon":106.17}`, want: 403})
	w.do(call{as: d, op: "GET /api/places/{id}", args: []string{s.place}, want: 200})
	w.do(call{as: d, op: "GET /api/places/{id}", args: []string{"no-such-place"}, want: 404})
	w.do(call{as: d, op: "PATCH /api/places/{id}", args: []string{s.place}, body: `{"aliases":["Posko Utama"]}`, want: 200})
	w.do(call{as: d, op: "PATCH /api/places/{id}", args: []string{s.place}, body: `{"lat":-6.1754,"lon":106.8272}`, want: 422})
	w.do(call{as: d, op: "PATCH /api/places/{id}", args: []string{s.place}, body: `{"kind":"castle"}`, want: 400})
	w.do(call{as: d, op: "PATCH /api/places/{id}", args: []string{"no-such-place"}, body: `{"kind":"other"}`, want: 404})
	keep := w.do(call{as: d, op: "POST /api/places", body: `{"name":"Gapura Kaibon","lat":-6.0335,"lon":106.1571}`, want: 201})
	w.do(call{as: d, op: "DELETE /api/places/{id}", args: []string{strings.TrimPrefix(createdID(w.t, keep), "placebook:")}, want: 204})
	w.do(call{as: d, op: "DELETE /api/places/{id}", args: []string{"no-such-place"}, want: 404})
}
