package tracking

import "testing"

func TestIncidentInvolves(t *testing.T) {
	units := map[string]string{"A1": "dinkes", "F1": "damkar"}
	in := Incident{LeadAgency: "bpbd", Assignments: []Assignment{{UnitID: "A1"}}, AgencyParts: []AgencyPart{{Agency: "dishub"}}}
	for _, tt := range []struct {
		name   string
		agency string
		want   bool
	}{
		{"lead", "bpbd", true},
		{"unit assigned", "dinkes", true},
		{"has a part", "dishub", true},
		{"other agency", "damkar", false},
		{"no agency", "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := in.Involves(tt.agency, func(id string) string { return units[id] }); got != tt.want {
				t.Fatalf("Involves(%q) = %v", tt.agency, got)
			}
		})
	}
}

func TestCallQueryAndOutcomes(t *testing.T) {
	for _, o := range []string{"emergency", "information", "prank", "ghost", "duplicate"} {
		if _, err := ParseCallOutcome(o); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ParseCallOutcome("Prank"); CodeOf(err) != CodeInvalid {
		t.Fatal("outcomes are exact")
	}
	if !CallPrank.Regulated() || !CallGhost.Regulated() || CallDuplicate.Regulated() || CallEmergency.Regulated() || CallInformation.Regulated() {
		t.Fatal("only prank and ghost calls are regulated")
	}
}
