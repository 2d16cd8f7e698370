package interop

import (
	"encoding/json"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Registry values NENA-STA-021.1 allows in the fields the encoder fills.
var (
	eidoAgencyRoles    = []string{"Assisting", "CallReceiving", "Dispatched", "Dispatching", "Informational", "TransferredTo"}
	eidoStatuses       = []string{"Active", "Cancelled", "Closed", "FireUnderControl", "NewLocation", "ReOpened", "ResourcesAssigned", "ResourcesEnroute", "ResourcesOnscene", "StructureCleared"}
	eidoLocationTypes  = []string{"RoutingLocation", "Caller", "CurrentIncident", "InitialIncident", "Investigation", "Other", "Staging", "TowerLocation", "UnitLocation"}
	eidoPrologueFields = []string{"$id", "lastUpdateTimeStamp", "updatedByAgencyReference"}
)

type pidfDoc struct {
	XMLName xml.Name
	Devices []struct {
		ID  string `xml:"id,attr"`
		Pos string `xml:"geopriv>location-info>Point>pos"`
		A3  string `xml:"geopriv>location-info>civicAddress>A3"`
		A4  string `xml:"geopriv>location-info>civicAddress>A4"`
	} `xml:"device"`
}

func TestEIDO(t *testing.T) {
	dir := t.TempDir()
	var pidfFiles []string
	for _, tc := range capCases() {
		t.Run(tc.name, func(t *testing.T) {
			out, err := Encoder{}.EIDO(tc.in)
			if err != nil {
				t.Fatal(err)
			}
			var doc map[string]any
			if err := json.Unmarshal(out, &doc); err != nil {
				t.Fatalf("not JSON: %v", err)
			}
			wantID := "urn:emergency:uid:incidentid:" + tc.in.ID + ":" + DefaultPSAPID
			if doc["$id"] != wantID || doc["incidentTrackingIdentifier"] != wantID {
				t.Errorf("$id %v, incidentTrackingIdentifier %v; want %s", doc["$id"], doc["incidentTrackingIdentifier"], wantID)
			}
			if doc["eidoVersion"] != "1.0" || doc["issuingElementIdentification"] != DefaultPSAPID {
				t.Errorf("eidoVersion %v issuingElementIdentification %v", doc["eidoVersion"], doc["issuingElementIdentification"])
			}
			ids := map[string]bool{}
			prologue := func(where string, c map[string]any) {
				for _, f := range eidoPrologueFields {
					if c[f] == nil {
						t.Errorf("%s: prologue field %s missing", where, f)
					}
				}
				if id, _ := c["$id"].(string); id != "" {
					if ids[id] && where != "locationInformationComponent" {
						t.Errorf("%s: $id %s used twice", where, id)
					}
					ids[id] = true
				}
			}
			prologue("document", doc)
			inc, _ := doc["incidentComponent"].(map[string]any)
			if inc == nil {
				t.Fatal("no incidentComponent")
			}
			prologue("incidentComponent", inc)
			if inc["incidentTypeCommonRegistryText"] == "" || inc["internalIncidentId"] != tc.in.ID || inc["incidentTypeInternalCode"] != string(tc.in.Category) {
				t.Errorf("incidentComponent %v", inc)
			}
			for _, s := range inc["incidentStatusCommonRegistryText"].([]any) {
				if !slices.Contains(eidoStatuses, s.(string)) {
					t.Errorf("status %v is not in the registry", s)
				}
			}
			agencies, _ := doc["agencyComponent"].([]any)
			if len(agencies) == 0 {
				t.Fatal("agencyComponent is required (1..*)")
			}
			owners := 0
			for _, a := range agencies {
				a := a.(map[string]any)
				prologue("agencyComponent", a)
				for _, r := range a["agencyRoleDescriptionRegistryText"].([]any) {
					if !slices.Contains(eidoAgencyRoles, r.(string)) {
						t.Errorf("agency role %v is not in the registry", r)
					}
				}
				if len(a["agencyType"].([]any)) == 0 {
					t.Errorf("agency %v has no agencyType", a["$id"])
				}
				if a["incidentOwningAgencyIndicator"] == true {
					owners++
				}
			}
			if owners != 1 {
				t.Errorf("%d owning agencies, want the centre alone", owners)
			}
			for _, key := range []string{"locationComponent", "locationInformationComponent"} {
				locs, _ := doc[key].([]any)
				if len(locs) != 1 {
					t.Fatalf("%s: %v", key, doc[key])
				}
				loc := locs[0].(map[string]any)
				prologue(key, loc)
				if !slices.Contains(eidoLocationTypes, loc["locationTypeDescriptionRegistryText"].(string)) {
					t.Errorf("location type %v", loc["locationTypeDescriptionRegistryText"])
				}
				byValue, _ := loc["locationByValue"].(string)
				var p pidfDoc
				if err := xml.Unmarshal([]byte(byValue), &p); err != nil {
					t.Fatalf("locationByValue is not XML: %v\n%s", err, byValue)
				}
				if p.XMLName.Space != "urn:ietf:params:xml:ns:pidf" || p.XMLName.Local != "presence" || len(p.Devices) == 0 {
					t.Fatalf("not a PIDF-LO: %s", byValue)
				}
				f := strings.Fields(p.Devices[0].Pos)
				if len(f) != 2 || f[0] != coord(tc.in.Lat) || f[1] != coord(tc.in.Lon) {
					t.Errorf("gml:pos %q, want %s %s (latitude first)", p.Devices[0].Pos, coord(tc.in.Lat), coord(tc.in.Lon))
				}
				if tc.in.Kelurahan.Name != "" && (len(p.Devices) != 2 || p.Devices[1].A4 != tc.in.Kelurahan.Name) {
					t.Errorf("civic address %+v, want A4 %q", p.Devices, tc.in.Kelurahan.Name)
				}
				if key == "locationComponent" {
					f := filepath.Join(dir, strings.ReplaceAll(tc.name, " ", "_")+".pidf.xml")
					if err := os.WriteFile(f, []byte(byValue), 0o644); err != nil {
						t.Fatal(err)
					}
					pidfFiles = append(pidfFiles, f)
				}
			}
			for _, n := range doc["notesComponent"].([]any) {
				n := n.(map[string]any)
				prologue("notesComponent", n)
				if c, _ := n["notesActionComments"].(string); strings.ContainsAny(c, "<>") {
					t.Errorf("note is HTML5: markup must be escaped: %q", c)
				}
			}
			// Every reference names a component of the document.
			var refs func(v any)
			refs = func(v any) {
				switch v := v.(type) {
				case map[string]any:
					if r, ok := v["$ref"].(string); ok && !ids[r] {
						t.Errorf("$ref %q names no component", r)
					}
					for _, x := range v {
						refs(x)
					}
				case []any:
					for _, x := range v {
						refs(x)
					}
				}
			}
			refs(doc)
			if strings.Contains(string(out), tc.in.Caller) {
				t.Error("the caller's number must not leave the centre")
			}
		})
	}
	// The PIDF-LO documents are well-formed XML to an independent parser.
	xmllint := needTool(t, "xmllint", "libxml2-utils")
	if out, err := exec.Command(xmllint, append([]string{"--noout"}, pidfFiles...)...).CombinedOutput(); err != nil {
		t.Fatalf("xmllint: %v\n%s", err, out)
	}
	t.Logf("xmllint --noout: %d PIDF-LO documents well-formed", len(pidfFiles))
}

func TestEIDOIncidentTypeOfUnknownCategory(t *testing.T) {
	if got := EIDOIncidentType("banjir_rob"); got != "TROUBLE" {
		t.Fatalf("got %s", got)
	}
	if got := CAPCategory("banjir_rob"); got != "Other" {
		t.Fatalf("got %s", got)
	}
}

func BenchmarkEIDO(b *testing.B) {
	in := capCases()[2].in
	enc := Encoder{}
	cpuPerOp(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := enc.EIDO(in); err != nil {
			b.Fatal(err)
		}
	}
}
