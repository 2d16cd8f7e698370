package dispatch

import (
	"strings"
	"testing"
)

func TestEnglishNames(t *testing.T) {
	for _, tc := range []struct {
		name, file       string
		label, labelEN   string
		agency, agencyEN string
	}{
		{name: "given after a second bar", file: "agency damkar city Dinas Damkar | Firefighters\nplan fire damkar fire_truck=1 | Kebakaran | Blaze\n",
			label: "Kebakaran", labelEN: "Blaze", agency: "Dinas Damkar", agencyEN: "Firefighters"},
		{name: "built-in English for a known code", file: "agency damkar city Dinas Damkar\nplan fire damkar fire_truck=1 | Kebakaran\n",
			label: "Kebakaran", labelEN: "Fire", agency: "Dinas Damkar", agencyEN: "Fire and Rescue Service"},
		{name: "unknown code: the Indonesian", file: "agency pemadam city Regu Pemadam\nplan api pemadam | Api\n",
			label: "Api", labelEN: "Api", agency: "Regu Pemadam", agencyEN: "Regu Pemadam"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePlans(strings.NewReader(tc.file))
			if err != nil {
				t.Fatal(err)
			}
			pl := p.All()[0]
			if pl.Label != tc.label || pl.LabelEN != tc.labelEN {
				t.Errorf("label %q / %q, want %q / %q", pl.Label, pl.LabelEN, tc.label, tc.labelEN)
			}
			a := p.Agencies[0]
			if a.Name != tc.agency || a.NameEN != tc.agencyEN {
				t.Errorf("agency %q / %q, want %q / %q", a.Name, a.NameEN, tc.agency, tc.agencyEN)
			}
		})
	}
	for _, pl := range DefaultPlans().All() {
		if pl.LabelEN == "" || pl.LabelEN == pl.Label {
			t.Errorf("built-in plan %s has no English label", pl.Category)
		}
	}
}
