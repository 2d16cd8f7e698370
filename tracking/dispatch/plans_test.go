package dispatch

import (
	"strings"
	"testing"

	"siaga112/tracking"
)

func TestDefaultPlans(t *testing.T) {
	p := DefaultPlans()
	tests := []struct {
		category tracking.Category
		lead     string
		needs    map[tracking.UnitType]int
	}{
		{"fire", "damkar", map[tracking.UnitType]int{tracking.FireTruck: 2, tracking.Ambulance: 1}},
		{"traffic_accident", "polresta", map[tracking.UnitType]int{tracking.Ambulance: 1, tracking.Police: 1}},
		{"medical", "dinkes", map[tracking.UnitType]int{tracking.Ambulance: 1}},
		{"ambulance", "dinkes", map[tracking.UnitType]int{tracking.Ambulance: 1}},
		{"hearse", "dinsos", map[tracking.UnitType]int{tracking.Hearse: 1}},
		{"disaster", "bpbd", map[tracking.UnitType]int{tracking.Rescue: 1, tracking.Ambulance: 1}},
		{"fallen_tree", "bpbd", map[tracking.UnitType]int{tracking.Rescue: 1}},
		{"animal_hazard", "bpbd", map[tracking.UnitType]int{tracking.Rescue: 1}},
		{"stunting", "dinkes", map[tracking.UnitType]int{}},
	}
	for _, tt := range tests {
		t.Run(string(tt.category), func(t *testing.T) {
			pl, err := p.Plan(tt.category)
			if err != nil {
				t.Fatal(err)
			}
			got := map[tracking.UnitType]int{}
			for _, n := range pl.Needs {
				got[n.Type] = n.Count
			}
			if pl.Lead != tt.lead || len(got) != len(tt.needs) {
				t.Fatalf("plan %+v", pl)
			}
			for k, v := range tt.needs {
				if got[k] != v {
					t.Fatalf("plan %+v: %s = %d, want %d", pl, k, got[k], v)
				}
			}
		})
	}
	kinds := map[tracking.AgencyKind]int{}
	for _, a := range p.Agencies {
		kinds[a.Kind]++
	}
	if kinds["city"] != 9 || kinds["vertical"] != 5 {
		t.Fatalf("agencies by kind %v, want 9 city and 5 vertical", kinds)
	}
	if _, err := p.Plan("alien_landing"); tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), "fire") {
		t.Fatalf("unknown category: %v", err)
	}
}

func TestParsePlans(t *testing.T) {
	const agencies = "agency bpbd city BPBD\nagency dinkes city Dinas Kesehatan\n"
	tests := []struct {
		name    string
		file    string
		wantErr string
	}{
		{"a city's own case type", agencies + "plan flood_evacuation bpbd rescue=2 ambulance=1 | Evakuasi banjir\n", ""},
		{"comments and blank lines", "# hello\n\n" + agencies + "plan x bpbd   # trailing\n", ""},
		{"unknown unit type", agencies + "plan x bpbd tank=1\n", `plans line 3: unknown unit type "tank"`},
		{"bad count", agencies + "plan x bpbd rescue=0\n", "plans line 3: count"},
		{"not type=count", agencies + "plan x bpbd rescue\n", `plans line 3: "rescue" is not`},
		{"undefined lead", agencies + "\nplan x damkar fire_truck=1\n", `plans line 4: lead agency "damkar"`},
		{"duplicate category", agencies + "plan x bpbd\nplan x bpbd\n", `plans line 4: category "x" has a plan already`},
		{"duplicate agency", agencies + "agency bpbd city again\nplan x bpbd\n", `plans line 3: agency "bpbd" is defined twice`},
		{"bad kind", "agency bpbd province BPBD\n", `plans line 1: agency kind "province"`},
		{"unknown statement", agencies + "route x bpbd\n", `plans line 3: unknown statement "route"`},
		{"upper case category", agencies + "plan Fire bpbd\n", `plans line 3: category "Fire"`},
		{"empty file", "# nothing\n", "defines no plan"},
		{"agency without name", "agency bpbd city\n", "plans line 1: an agency needs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePlans(strings.NewReader(tt.file))
			if tt.wantErr == "" {
				if err != nil || len(p.All()) == 0 {
					t.Fatalf("err %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func FuzzParsePlans(f *testing.F) {
	f.Add(defaultPlans)
	f.Add("agency a city A\nplan b a ambulance=1 | B\n")
	f.Add("plan | | |\nagency\n")
	f.Add("agency a city A\ncontact a whatsapp 0812 3456 789 Piket\ncontact a email x@y.id\nplan b a | B\n")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePlans(strings.NewReader(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "plans") {
				t.Fatalf("error without the file's name: %v", err)
			}
			return
		}
		for _, pl := range p.All() {
			if _, err := p.Plan(pl.Category); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range p.Agencies {
			if _, err := tracking.ValidateContacts(a.Contacts); err != nil {
				t.Fatalf("an accepted contact is not valid: %v", err)
			}
		}
	})
}

// One type of agency: ParsePlans fills the leads and the contact lines.
func TestParsePlansAgenciesWithContacts(t *testing.T) {
	p, err := ParsePlans(strings.NewReader("agency bpbd city BPBD\ncontact bpbd email piket@bpbd.example.id Piket malam\nplan fallen_tree bpbd rescue=1\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := p.Agencies[0]
	if a.Kind != tracking.AgencyCity || len(a.Leads) != 1 || a.Leads[0] != "fallen_tree" || len(a.Contacts) != 1 || a.Contacts[0].Label != "Piket malam" {
		t.Fatalf("%+v", a)
	}
	for _, bad := range []string{
		"agency bpbd city BPBD\ncontact bpbd fax 123\nplan x bpbd\n",
		"agency bpbd city BPBD\ncontact nobody email a@b.id\nplan x bpbd\n",
	} {
		if _, err := ParsePlans(strings.NewReader(bad)); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
	if len(DefaultPlans().Agencies) != 14 {
		t.Fatal("the default plans have 14 agencies")
	}
}
