package interop

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

// The OASIS schema, unchanged (its SHA-256 is checked below).
const capSchema = "testdata/CAP-v1.2.xsd"
const capSchemaSHA256 = "b7798ef25868b068c97b268bda02d067c7d4ba9373adc5638bf37105804ee723"

var t0 = time.Date(2026, 1, 1, 10, 0, 0, 0, WIB)

func at(min int) *time.Time { t := t0.Add(time.Duration(min) * time.Minute); return &t }

// incident is a fresh fire call in Kelurahan Cipare.
func incident() tracking.Incident {
	return tracking.Incident{
		ID: "20260101-000042", Category: "fire", Lat: -6.115, Lon: 106.15,
		Kecamatan:   tracking.Place{Code: "36.73.01", Name: "Serang"},
		Kelurahan:   tracking.Place{Code: "36.73.01.1010", Name: "Cipare"},
		Caller:      "081234567890",
		Description: "Rumah terbakar di dekat pasar",
		Status:      tracking.IncidentOpen, LeadAgency: "damkar",
		ReceivedAt: t0, AgencyDueAt: t0.Add(72 * time.Hour),
	}
}

// capCases are the incidents every CAP test writes: each state the
// issue names, hostile text, and a point outside every kelurahan.
func capCases() []struct {
	name string
	in   tracking.Incident
} {
	fresh := incident()

	acked := incident()
	acked.AgencyActedAt = at(3)
	acked.AgencyParts = []tracking.AgencyPart{{Agency: "damkar", AckedAt: at(3), AckedBy: "damkar-1"}}

	dispatched := incident()
	dispatched.DispatchedAt, dispatched.EnRouteAt = at(2), at(4)
	dispatched.Assignments = []tracking.Assignment{
		{UnitID: "F1", UnitType: tracking.FireTruck, Status: tracking.AssignEnRoute, DispatchedAt: *at(2), EnRouteAt: at(4)},
		{UnitID: "A7", UnitType: tracking.Ambulance, Status: tracking.AssignDispatched, DispatchedAt: *at(2)},
	}

	closed := dispatched
	closed.Assignments = []tracking.Assignment{{UnitID: "F1", UnitType: tracking.FireTruck, Status: tracking.AssignCleared,
		DispatchedAt: *at(2), EnRouteAt: at(4), OnSceneAt: at(11), ClearedAt: at(50)}}
	closed.OnSceneAt, closed.ClearedAt, closed.ClosedAt = at(11), at(50), at(55)
	closed.Status = tracking.IncidentClosed

	synthetic := incident()
	synthetic.Description = tracking.SyntheticMark + " latihan"

	hostile := incident()
	hostile.Category = "banjir_rob" // a city's own case type: CAP "Other"
	hostile.Description = `<script>alert("x")</script> & 'kutip' — Jl. Ahmad Yani № 5, RT 03/RW 07; ñ ü 日本 😀` + "\x01\x1b[31m\ufffe\n baris dua\t"
	hostile.Kelurahan.Name = `Sukawana <b>&amp;</b> "Lama"`
	hostile.Notes = []tracking.Note{{At: *at(1), By: "dispatcher-1", Text: "</alert><alert>"}}

	outside := incident()
	outside.Lat, outside.Lon = -6.30, 106.40
	outside.Kecamatan, outside.Kelurahan = tracking.Place{}, tracking.Place{}
	outside.Approximate = true

	return []struct {
		name string
		in   tracking.Incident
	}{
		{"fresh", fresh}, {"acked", acked}, {"dispatched", dispatched}, {"closed", closed},
		{"synthetic", synthetic}, {"hostile text", hostile}, {"outside the city", outside},
	}
}

// capDoc is the CAP read back, for the checks.
type capDoc struct {
	XMLName    xml.Name
	Identifier string `xml:"identifier"`
	Sender     string `xml:"sender"`
	Sent       string `xml:"sent"`
	Status     string `xml:"status"`
	MsgType    string `xml:"msgType"`
	Scope      string `xml:"scope"`
	References string `xml:"references"`
	Info       []struct {
		Language    string   `xml:"language"`
		Category    []string `xml:"category"`
		Event       string   `xml:"event"`
		Urgency     string   `xml:"urgency"`
		Description string   `xml:"description"`
		Parameter   []struct {
			Name  string `xml:"valueName"`
			Value string `xml:"value"`
		} `xml:"parameter"`
		Area []struct {
			AreaDesc string   `xml:"areaDesc"`
			Circle   []string `xml:"circle"`
			Geocode  []struct {
				Name  string `xml:"valueName"`
				Value string `xml:"value"`
			} `xml:"geocode"`
		} `xml:"area"`
	} `xml:"info"`
}

func TestCAPFields(t *testing.T) {
	enc := Encoder{CategoryLabel: func(c tracking.Category) string {
		if c == "fire" {
			return "Kebakaran"
		}
		return ""
	}}
	sentRE := regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$`)
	want := map[string]struct {
		status, msgType, sent, urgency, category, areaDesc, circle, geocode string
	}{
		"fresh":            {"Actual", "Alert", "2026-01-01T10:00:00+07:00", "Immediate", "Fire", "Kelurahan Cipare, Kecamatan Serang", "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"acked":            {"Actual", "Update", "2026-01-01T10:03:00+07:00", "Immediate", "Fire", "Kelurahan Cipare, Kecamatan Serang", "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"dispatched":       {"Actual", "Update", "2026-01-01T10:04:00+07:00", "Immediate", "Fire", "Kelurahan Cipare, Kecamatan Serang", "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"closed":           {"Actual", "Update", "2026-01-01T10:55:00+07:00", "Past", "Fire", "Kelurahan Cipare, Kecamatan Serang", "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"synthetic":        {"Exercise", "Alert", "2026-01-01T10:00:00+07:00", "Immediate", "Fire", "Kelurahan Cipare, Kecamatan Serang", "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"hostile text":     {"Actual", "Update", "2026-01-01T10:01:00+07:00", "Immediate", "Other", `Kelurahan Sukawana <b>&amp;</b> "Lama", Kecamatan Serang`, "-6.115000,106.150000 0.1", "36.73.01.1010"},
		"outside the city": {"Actual", "Alert", "2026-01-01T10:00:00+07:00", "Immediate", "Fire", "Titik -6.300000, 106.400000 (di luar wilayah kelurahan)", "-6.300000,106.400000 0.1", ""},
	}
	for _, tc := range capCases() {
		t.Run(tc.name, func(t *testing.T) {
			out, err := enc.CAP(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var d capDoc
			if err := xml.Unmarshal(out, &d); err != nil {
				t.Fatalf("not XML: %v\n%s", err, out)
			}
			w := want[tc.name]
			if d.XMLName.Space != CAPNamespace || d.XMLName.Local != "alert" {
				t.Errorf("root %v", d.XMLName)
			}
			if d.Identifier != tc.in.ID || d.Sender != DefaultPSAPID || d.Scope != "Restricted" {
				t.Errorf("identifier %q sender %q scope %q", d.Identifier, d.Sender, d.Scope)
			}
			if d.Status != w.status || d.MsgType != w.msgType || d.Sent != w.sent || !sentRE.MatchString(d.Sent) {
				t.Errorf("status %q msgType %q sent %q; want %q %q %q", d.Status, d.MsgType, d.Sent, w.status, w.msgType, w.sent)
			}
			wantRefs := ""
			if w.msgType == "Update" {
				wantRefs = DefaultPSAPID + "," + tc.in.ID + ",2026-01-01T10:00:00+07:00"
			}
			if d.References != wantRefs {
				t.Errorf("references %q, want %q", d.References, wantRefs)
			}
			if len(d.Info) != 1 || len(d.Info[0].Area) != 1 {
				t.Fatalf("want one info with one area: %s", out)
			}
			info, area := d.Info[0], d.Info[0].Area[0]
			if info.Language != "id-ID" || len(info.Category) != 1 || info.Category[0] != w.category || info.Urgency != w.urgency {
				t.Errorf("info %+v", info)
			}
			if tc.in.Category == "fire" && info.Event != "Kebakaran" {
				t.Errorf("event %q, want the plan's label", info.Event)
			}
			if info.Description != strings.ToValidUTF8(tc.in.Description, "") && !strings.ContainsRune(info.Description, '\ufffd') {
				t.Errorf("description %q, want %q", info.Description, tc.in.Description)
			}
			if area.AreaDesc != w.areaDesc || len(area.Circle) != 1 || area.Circle[0] != w.circle {
				t.Errorf("area %+v", area)
			}
			if gc := ""; len(area.Geocode) == 1 {
				gc = area.Geocode[0].Value
				if area.Geocode[0].Name != CAPGeocodeName || gc != w.geocode {
					t.Errorf("geocode %+v", area.Geocode)
				}
			} else if w.geocode != "" {
				t.Errorf("geocode missing, want %s", w.geocode)
			}
			caller := ""
			for _, p := range info.Parameter {
				if p.Name == "caller" {
					caller = p.Value
				}
			}
			if caller != "********7890" || strings.Contains(string(out), "081234567890") {
				t.Errorf("caller %q: the number must leave masked", caller)
			}
		})
	}
}

// TestCAPValidatesAgainstOASISSchema runs xmllint, an independent
// validator, with the unchanged OASIS schema over every CAP the tests make.
func TestCAPValidatesAgainstOASISSchema(t *testing.T) {
	schema, err := os.ReadFile(capSchema)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(schema); hex.EncodeToString(sum[:]) != capSchemaSHA256 {
		t.Fatalf("%s is not the OASIS schema (SHA-256 %x)", capSchema, sum)
	}
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	dir := t.TempDir()
	var files []string
	for _, enc := range []Encoder{{}, {PSAPID: "psap.example.go.id", Zone: time.UTC}} {
		for _, tc := range capCases() {
			out, err := enc.CAP(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			f := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+"-"+enc.psap()+".xml")
			if err := os.WriteFile(f, out, 0o644); err != nil {
				t.Fatal(err)
			}
			files = append(files, f)
		}
	}
	out, err := exec.Command(xmllint, append([]string{"--noout", "--schema", capSchema}, files...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	if n := strings.Count(string(out), " validates"); n != len(files) {
		t.Fatalf("xmllint validated %d of %d files:\n%s", n, len(files), out)
	}
	t.Logf("xmllint --noout --schema %s: %d CAP messages validate", capSchema, len(files))
}

// TestCAPSchemaCatchesMistakes shows the schema check can fail: a "Z"
// time and a wrong element order are refused.
func TestCAPSchemaCatchesMistakes(t *testing.T) {
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	good, err := Encoder{}.CAP(incident())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, from, to string }{
		{"Z time", "<sent>2026-01-01T10:00:00+07:00</sent>", "<sent>2026-01-01T03:00:00Z</sent>"},
		{"fractions", "<sent>2026-01-01T10:00:00+07:00</sent>", "<sent>2026-01-01T10:00:00.5+07:00</sent>"},
		{"order", "<status>Actual</status>\n  <msgType>Alert</msgType>", "<msgType>Alert</msgType>\n  <status>Actual</status>"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			bad := strings.Replace(string(good), tc.from, tc.to, 1)
			if bad == string(good) {
				t.Fatalf("%q not found in\n%s", tc.from, good)
			}
			f := filepath.Join(t.TempDir(), "bad.xml")
			if err := os.WriteFile(f, []byte(bad), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(xmllint, "--noout", "--schema", capSchema, f).CombinedOutput(); err == nil {
				t.Fatalf("xmllint accepted a bad CAP:\n%s", out)
			}
		})
	}
}

func TestCAPRefusesBadIDs(t *testing.T) {
	for _, id := range []string{"", "a b", "a,b", "<x>", "a:b"} {
		in := incident()
		in.ID = id
		if _, err := (Encoder{}).CAP(in); tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Errorf("id %q: %v", id, err)
		}
	}
}

func TestValidatePSAPID(t *testing.T) {
	for _, tc := range []struct {
		id string
		ok bool
	}{
		{DefaultPSAPID, true}, {"psap-1.example.id", true}, {"", false}, {"a b", false}, {"a,b", false}, {"a<b", false}, {"a&b", false}, {"ñ.id", false},
	} {
		if err := ValidatePSAPID(tc.id); (err == nil) != tc.ok {
			t.Errorf("%q: %v", tc.id, err)
		}
	}
}

func BenchmarkCAP(b *testing.B) {
	in := capCases()[2].in // dispatched: two units, an Update
	enc := Encoder{}
	cpuPerOp(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.CAP(in); err != nil {
			b.Fatal(err)
		}
	}
}

// needTool finds a program the test needs (trackingtest.Tool).
func needTool(t testing.TB, name, debianPackage string) string {
	t.Helper()
	return trackingtest.Tool(t, name, debianPackage)
}
