package app_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"siaga112/tracking/app"
)

// Issue 26: the page's one list of names. GET /api/plans gives English
// labels and names and the unit types, agency users read it without the
// contacts; /api/config gives --dispatch-target.
func TestPlansForThePage(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plans.conf")
	conf := "agency damkar city Dinas Pemadam | Firefighters\nagency dinkes city Dinas Kesehatan\n" +
		"contact dinkes phone 081234567890\nplan fire damkar fire_truck=1 | Kebakaran\nplan medical dinkes ambulance=1 | Medis | Medical\n"
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	_, base := newAccountsApp(t, app.Config{DispatchTarget: 90 * time.Second, Plans: file})
	admin := &client{t: t, base: base, token: agencyAdminToken, http: http.DefaultClient}
	admin.must("POST", "/api/users", map[string]string{"name": "dinkes1", "role": "agency", "agency": "dinkes", "password": "sehat-selalu-2026"}, 201, nil)
	type plans struct {
		Plans []struct {
			Category string `json:"category"`
			LabelEN  string `json:"label_en"`
		} `json:"plans"`
		Agencies []struct {
			Code     string           `json:"code"`
			NameEN   string           `json:"name_en"`
			Contacts []map[string]any `json:"contacts"`
		} `json:"agencies"`
		UnitTypes []struct {
			Type   string `json:"type"`
			NameEN string `json:"name_en"`
		} `json:"unit_types"`
	}
	for _, tc := range []struct {
		name     string
		c        *client
		contacts bool
	}{
		{name: "admin", c: admin, contacts: true},
		{name: "agency user", c: login(t, base, "dinkes1", "sehat-selalu-2026"), contacts: false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p plans
			tc.c.must("GET", "/api/plans", nil, 200, &p)
			if len(p.Plans) == 0 || p.Plans[0].LabelEN != "Fire" {
				t.Errorf("plans %+v: the first is Fire in English", p.Plans)
			}
			if len(p.Plans) != 2 || p.Plans[1].LabelEN != "Medical" || p.Agencies[0].NameEN != "Firefighters" {
				t.Errorf("plans %+v, agencies %+v: the file's English", p.Plans, p.Agencies)
			}
			if len(p.UnitTypes) != 5 || p.UnitTypes[0].NameEN != "Ambulance" {
				t.Errorf("unit types %+v", p.UnitTypes)
			}
			for _, a := range p.Agencies {
				if a.NameEN == "" {
					t.Errorf("agency %s has no English name", a.Code)
				}
				if a.Code == "dinkes" && (len(a.Contacts) > 0) != tc.contacts {
					t.Errorf("dinkes contacts %v, want shown %v", a.Contacts, tc.contacts)
				}
			}
		})
	}
	var cfg struct {
		DispatchTargetS int `json:"dispatch_target_s"`
	}
	admin.must("GET", "/api/config", nil, 200, &cfg)
	if cfg.DispatchTargetS != 90 {
		t.Errorf("dispatch_target_s %d, want 90", cfg.DispatchTargetS)
	}
}
