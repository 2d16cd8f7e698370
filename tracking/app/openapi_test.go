package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/app"
)

const walkAdminToken = "openapi-walk-admin-token-0123456789"

// frontRoutes are served in front of the web router (tracking/app's
// tracker ingest), on the same port: the document has them too.
var frontRoutes = []string{"POST /pub"}

// The API document is the API: every route the router serves is called, as
// the role that may call it and as roles and inputs that are refused, and
// each request and answer is held to /api/openapi.json by kin-openapi's
// validator. A route or status missing from the document, an answer its
// schema refuses or a member it does not declare fails; so does a served
// route the walk does not call (a new route needs its calls here).
func TestOpenAPIWalk(t *testing.T) {
	if testing.Short() {
		t.Skip("the whole API: not in -short")
	}
	fences := filepath.Join(t.TempDir(), "fences.geojson")
	if err := os.WriteFile(fences, []byte(`{"type":"FeatureCollection","features":[{"type":"Feature","id":"rsud-file",
		"geometry":{"type":"Point","coordinates":[106.1500,-6.1200]},"properties":{"name":"RSUD dr. Dradjat Prawiranegara","kind":"hospital","radius_m":150}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), app.Config{
		NoMQTT: true, AdminToken: walkAdminToken, OSM: filepath.Join("..", "..", "mapdata", "places", "testdata", "town.osm.pbf"),
		Geofences: fences, LiveClients: 1, IncidentRate: 12, CallRate: 20, WebhookAllowPrivate: true,
	}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ts := httptest.NewServer(a.Web)
	t.Cleanup(ts.Close)
	w := loadWalk(t, ts.URL, walkAdminToken)
	s := &walkState{w: w, admin: &principal{name: "admin", bearer: walkAdminToken}, routes: append(a.Web.Routes(), frontRoutes...)}

	for _, section := range []struct {
		name string
		run  func()
	}{
		{"operations", s.operations},
		{"accounts", s.accounts},
		{"anonymous", func() { s.sweep(anonymous, 401, "POST /api/login", "POST /api/logout", "GET /healthz") }},
		{"device token", func() {
			s.sweep(s.token("walk-device", "device"), 403, "POST /api/login", "POST /api/logout", "GET /healthz", "POST /pub")
		}},
		{"units", s.units},
		{"areas", s.areas},
		{"basemap", s.basemap},
		{"geofences", s.geofences},
		{"places", s.places},
		{"incidents", s.incidents},
		{"agency work", s.agencyWork},
		{"calls", s.calls},
		{"phone", s.phone},
		{"live", s.live},
		{"agencies and audit", s.agenciesAndAudit},
		{"webhooks", s.webhooks},
		{"analytics", s.analytics},
		{"roles", s.roles},
		{"limits", s.limits},
		{"throttled", s.throttled}, // last: it locks this address out of bearer tokens for a while
	} {
		start := time.Now()
		section.run()
		t.Logf("%s: %v", section.name, time.Since(start).Round(time.Millisecond))
	}
	w.coverage(s.routes)
}

// walkState is what the walk made and needs again.
type walkState struct {
	w                                *apiWalk
	routes                           []string // served, the front's included
	admin, dispatcher, planner       *principal
	flooder                          *principal // a dispatcher token spent on rate limits
	agency, dispatcherSession        *principal // signed-in sessions
	devices                          map[string]*principal
	incident, agencyIncident, closed string
	place                            string
	phoneToken                       *principal
}

// coverage fails for a served route the document lacks or the walk did
// not answer with success, and reports the documented statuses the walk
// never saw.
func (w *apiWalk) coverage(served []string) {
	t := w.t
	t.Helper()
	var unseen []string
	total, statuses := 0, 0
	for _, r := range served {
		if r == "GET /" { // the page's files, not the API
			continue
		}
		total++
		rt, _, err := w.route(r)
		if err != nil {
			t.Error(err)
			continue
		}
		if rt.Operation.OperationID == "" {
			t.Errorf("%s has no operationId (client generators name their methods by it)", r)
		}
		seen := w.seen[r]
		if !slices.ContainsFunc(mapKeys(seen), func(s int) bool { return s < 400 }) {
			t.Errorf("%s is served, but the walk never got a success from it: add its calls to TestOpenAPIWalk", r)
		}
		for code := range rt.Operation.Responses.Map() {
			statuses++
			n, err := strconv.Atoi(code)
			if err == nil && seen[n] == 0 {
				unseen = append(unseen, r+" "+code)
			}
		}
	}
	for op := range w.seen {
		if !slices.Contains(served, op) {
			t.Errorf("the walk called %s, which the server does not serve", op)
		}
	}
	sort.Strings(unseen)
	answered := 0
	for _, m := range w.seen {
		answered += len(m)
	}
	t.Logf("%d routes, %d documented statuses; the walk saw %d route×status pairs; not provoked here (%d): %s",
		total, statuses, answered, len(unseen), strings.Join(unseen, ", "))
	if total < 60 {
		t.Errorf("only %d routes served: the route table is not being read", total)
	}
}

func mapKeys(m map[int]int) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// created reads "id" from a JSON answer.
func createdID(t *testing.T, a answer) string {
	t.Helper()
	var v struct {
		ID any `json:"id"`
	}
	a.decode(t, &v)
	return fmt.Sprint(v.ID)
}

func js(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// timeout guards the walk's waits.
const walkWait = 15 * time.Second

var _ = http.StatusOK
