package dispatch

import (
	"slices"
	"strings"
	"testing"

	"siaga112/tracking"
)

func TestDefaultAgencies(t *testing.T) {
	as := DefaultAgencies()
	kinds := map[tracking.AgencyKind]int{}
	byCode := map[string]tracking.Agency{}
	for _, a := range as {
		kinds[a.Kind]++
		byCode[a.Code] = a
		if a.Name == "" || a.Contacts == nil || a.Leads == nil {
			t.Fatalf("agency %+v", a)
		}
	}
	if kinds[tracking.AgencyCity] != 9 || kinds[tracking.AgencyVertical] != 5 {
		t.Fatalf("kinds %v, want 9 city and 5 vertical", kinds)
	}
	// Same codes and leads as the plans ParsePlans reads.
	plans := DefaultPlans()
	for _, a := range plans.Agencies {
		if byCode[a.Code].Name != a.Name || byCode[a.Code].Kind != a.Kind {
			t.Fatalf("agency %s differs from the plans: %+v vs %+v", a.Code, byCode[a.Code], a)
		}
	}
	for _, p := range plans.All() {
		if !slices.Contains(byCode[p.Lead].Leads, p.Category) {
			t.Fatalf("%s does not list %s among its leads", p.Lead, p.Category)
		}
	}
	if got := byCode["dinkes"].Leads; !slices.Equal(got, []tracking.Category{"medical", "ambulance", "stunting"}) {
		t.Fatalf("dinkes leads %v", got)
	}
}

func TestParseAgencies(t *testing.T) {
	const base = "agency dinkes city Dinas Kesehatan\nagency pln vertical PLN UP3 Banten Utara\nplan medical dinkes ambulance=1 | Medis\n"
	for _, tc := range []struct {
		name, file string
		err        string
	}{
		{"ok with contacts", base + "contact dinkes whatsapp 0812-3456-7890 Piket IGD\ncontact dinkes email piket@dinkes.example\n", ""},
		{"unknown statement", base + "notify dinkes x\n", "unknown statement"},
		{"bad kind", "agency x county X\n", "city"},
		{"bad code", "agency X-1 city X\n", "lower case"},
		{"twice", "agency x city X\nagency x city Y\n", "twice"},
		{"lead undefined", "plan fire damkar\n", "not defined"},
		{"contact of nobody", base + "contact damkar phone +62254123456\n", "no agency line"},
		{"bad phone", base + "contact dinkes phone 112abc\n", "not a phone number"},
		{"bad email", base + "contact dinkes email Piket <p@x.example>\n", "bare e-mail"},
		{"bad contact kind", base + "contact dinkes pager 123\n", "phone, whatsapp or email"},
		{"control characters", "agency x city X\x00Y\n", "control"},
		{"short contact", base + "contact dinkes phone\n", "needs an agency"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			as, err := ParseAgencies(strings.NewReader(tc.file))
			if tc.err == "" {
				if err != nil {
					t.Fatal(err)
				}
				d := as[0]
				if len(d.Contacts) != 2 || d.Contacts[0].Value != "+6281234567890" || d.Contacts[0].Label != "Piket IGD" || d.Contacts[1].Kind != tracking.ContactEmail {
					t.Fatalf("dinkes %+v", d)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.HasPrefix(err.Error(), "plans line") {
				t.Fatalf("err %v, want %q", err, tc.err)
			}
		})
	}
}

func FuzzParseAgencies(f *testing.F) {
	f.Add(agencyPlans)
	f.Add("agency a city A\ncontact a phone 0812345678\n")
	f.Add("contact a email a@b.example\n")
	f.Fuzz(func(t *testing.T, file string) {
		as, err := ParseAgencies(strings.NewReader(file))
		if err != nil {
			return
		}
		for _, a := range as {
			if !keyPattern.MatchString(a.Code) || (a.Kind != tracking.AgencyCity && a.Kind != tracking.AgencyVertical) || len(a.Contacts) > tracking.MaxContacts {
				t.Fatalf("accepted %+v", a)
			}
		}
	})
}
