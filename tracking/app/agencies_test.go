package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

// Agencies come from the plans file (with its contact lines); admins
// replace an agency's contacts, which survive a restart with --db.
func TestAgenciesFromPlansAndContactsPersist(t *testing.T) {
	dir := t.TempDir()
	plans := filepath.Join(dir, "plans.conf")
	os.WriteFile(plans, []byte(`agency damkar city Dinas Pemadam Kebakaran
agency dinkes city Dinas Kesehatan
contact dinkes whatsapp 0812-1111-2222 Piket
plan fire damkar fire_truck=1 | Kebakaran
plan medical dinkes ambulance=1 | Medis
`), 0o600)
	cfg := app.Config{DB: pgtest.URL(t), Plans: plans}
	a1, base := newAccountsApp(t, cfg)
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	var as []tracking.Agency
	admin.must("GET", "/api/agencies", nil, 200, &as)
	if len(as) != 2 || as[1].Code != "dinkes" || len(as[1].Contacts) != 1 || as[1].Contacts[0].Value != "+6281211112222" || as[0].Leads[0] != "fire" {
		t.Fatalf("agencies %+v", as)
	}
	admin.must("PUT", "/api/agencies/damkar/contacts", map[string]any{"contacts": []map[string]string{{"kind": "email", "value": "piket@damkar.serangkota.go.id"}, {"kind": "phone", "value": "<script>"}}}, 400, nil)
	admin.must("PUT", "/api/agencies/nope/contacts", map[string]any{"contacts": []any{}}, 404, nil)
	admin.must("PUT", "/api/agencies/damkar/contacts", map[string]any{"contacts": []map[string]string{{"kind": "email", "value": "piket@damkar.serangkota.go.id", "label": "Piket"}}}, 200, nil)
	admin.must("POST", "/api/users", map[string]string{"name": "p1", "role": "planner", "password": "rencana-kota-2026"}, 201, nil)
	planner := login(t, base, "p1", "rencana-kota-2026")
	planner.must("PUT", "/api/agencies/damkar/contacts", map[string]any{"contacts": []any{}}, 403, nil)
	a1.Close()

	_, base2 := newAccountsApp(t, cfg)
	admin.base = base2
	admin.must("GET", "/api/agencies", nil, 200, &as)
	if len(as[0].Contacts) != 1 || as[0].Contacts[0].Value != "piket@damkar.serangkota.go.id" || as[1].Contacts[0].Value != "+6281211112222" {
		t.Fatalf("after the restart %+v", as)
	}
}
