package interop

import (
	"bytes"
	"encoding/xml"
	"strconv"
	"strings"

	"siaga112/tracking"
)

// CAPNamespace is the XML namespace of CAP 1.2.
const CAPNamespace = "urn:oasis:names:tc:emergency:cap:1.2"

// CAPContentType is the media type of a CAP message.
const CAPContentType = "application/cap+xml"

// capTime is CAP's dateTime: an explicit offset, no "Z", no fractions
// (the schema's pattern refuses both).
const capTime = "2006-01-02T15:04:05-07:00"

// The schema's element order (CAP-v1.2.xsd): encoding/xml writes fields in
// declaration order, so these structs are the order.
type capAlert struct {
	XMLName     xml.Name  `xml:"urn:oasis:names:tc:emergency:cap:1.2 alert"`
	Identifier  string    `xml:"identifier"`
	Sender      string    `xml:"sender"`
	Sent        string    `xml:"sent"`
	Status      string    `xml:"status"`
	MsgType     string    `xml:"msgType"`
	Source      string    `xml:"source,omitempty"`
	Scope       string    `xml:"scope"`
	Restriction string    `xml:"restriction,omitempty"`
	Note        string    `xml:"note,omitempty"`
	References  string    `xml:"references,omitempty"`
	Incidents   string    `xml:"incidents,omitempty"`
	Info        []capInfo `xml:"info"`
}

type capInfo struct {
	Language     string     `xml:"language"`
	Category     []string   `xml:"category"`
	Event        string     `xml:"event"`
	ResponseType []string   `xml:"responseType,omitempty"`
	Urgency      string     `xml:"urgency"`
	Severity     string     `xml:"severity"`
	Certainty    string     `xml:"certainty"`
	EventCode    []capValue `xml:"eventCode,omitempty"`
	Onset        string     `xml:"onset,omitempty"`
	SenderName   string     `xml:"senderName,omitempty"`
	Headline     string     `xml:"headline,omitempty"`
	Description  string     `xml:"description,omitempty"`
	Parameter    []capValue `xml:"parameter,omitempty"`
	Area         []capArea  `xml:"area"`
}

type capValue struct {
	ValueName string `xml:"valueName"`
	Value     string `xml:"value"`
}

type capArea struct {
	AreaDesc string     `xml:"areaDesc"`
	Circle   []string   `xml:"circle"`
	Geocode  []capValue `xml:"geocode,omitempty"`
}

// capCategories maps the default plans' case types to CAP categories;
// a category a city adds is "Other" until mapped here.
var capCategories = map[tracking.Category]string{
	"fire":             "Fire",
	"traffic_accident": "Transport",
	"medical":          "Health",
	"ambulance":        "Health",
	"hearse":           "Other",
	"disaster":         "Safety",
	"fallen_tree":      "Safety",
	"animal_hazard":    "Safety",
	"stunting":         "Health",
}

// CAPCategory is the CAP category of a case type ("Other" when unknown).
func CAPCategory(c tracking.Category) string {
	if s, ok := capCategories[c]; ok {
		return s
	}
	return "Other"
}

// capSeverity: what a call of each type usually threatens; a type not
// listed says "Unknown" rather than guess.
var capSeverity = map[tracking.Category]string{
	"fire":             "Severe",
	"traffic_accident": "Severe",
	"medical":          "Severe",
	"ambulance":        "Moderate",
	"hearse":           "Minor",
	"disaster":         "Severe",
	"fallen_tree":      "Moderate",
	"animal_hazard":    "Moderate",
	"stunting":         "Minor",
}

// CAPGeocodeName is the valueName of the area's geocode: the Kemendagri
// administrative code of the kelurahan (or kecamatan).
const CAPGeocodeName = "KEMENDAGRI"

// CAPAreaRadiusKM is the radius of the circle drawn at the incident.
const CAPAreaRadiusKM = "0.1"

// CAP writes the incident as one CAP 1.2 alert, valid against the OASIS
// schema. The message is the incident's current state: msgType "Alert"
// while nobody has touched it, then "Update" (sent at its last change,
// referencing the Alert). A synthetic incident is an "Exercise". The
// caller is masked to the last 4 digits.
func (e Encoder) CAP(in tracking.Incident) ([]byte, error) {
	if err := checkID(in.ID); err != nil {
		return nil, err
	}
	zone := e.zone()
	received := in.ReceivedAt.In(zone).Format(capTime)
	a := capAlert{
		Identifier:  in.ID,
		Sender:      e.psap(),
		Sent:        received,
		Status:      "Actual",
		MsgType:     "Alert",
		Scope:       "Restricted",
		Restriction: "Untuk instansi penanganan darurat / for emergency response agencies only",
		Incidents:   in.ID,
	}
	if in.IsSynthetic() {
		a.Status = "Exercise"
		a.Note = "Data sintetis (demo), bukan kejadian nyata / synthetic data, not a real incident"
	}
	if _, changed := lastChange(in); changed {
		a.MsgType = "Update"
		a.Sent = updatedAt(in).In(zone).Format(capTime)
		// CAP: references lists earlier messages as sender,identifier,sent.
		a.References = e.psap() + "," + in.ID + "," + received
	}

	info := capInfo{
		Language:    "id-ID",
		Category:    []string{CAPCategory(in.Category)},
		Event:       e.label(in.Category),
		Urgency:     "Immediate",
		Severity:    "Unknown",
		Certainty:   "Likely",
		EventCode:   []capValue{{"siaga112:category", string(in.Category)}},
		Onset:       received,
		SenderName:  e.senderName(),
		Headline:    clip(e.label(in.Category)+" — "+placeText(in), 160),
		Description: in.Description,
	}
	if s, ok := capSeverity[in.Category]; ok {
		info.Severity = s
	}
	if in.OnSceneAt != nil {
		info.Certainty = "Observed" // a crew has seen it
	}
	if in.Status == tracking.IncidentClosed {
		info.Urgency = "Past"
		info.ResponseType = []string{"AllClear"}
	}
	info.Parameter = append(info.Parameter,
		capValue{"caller", callerText(in.Caller)},
		capValue{"status", string(in.Status)},
	)
	if in.LeadAgency != "" {
		info.Parameter = append(info.Parameter, capValue{"leadAgency", e.agencyName(in.LeadAgency)})
	}
	if units := unitList(in.Assignments); units != "" {
		info.Parameter = append(info.Parameter, capValue{"units", units})
	}
	area := capArea{
		AreaDesc: placeText(in),
		Circle:   []string{coord(in.Lat) + "," + coord(in.Lon) + " " + CAPAreaRadiusKM},
	}
	switch {
	case in.Kelurahan.Code != "":
		area.Geocode = []capValue{{CAPGeocodeName, in.Kelurahan.Code}}
	case in.Kecamatan.Code != "":
		area.Geocode = []capValue{{CAPGeocodeName, in.Kecamatan.Code}}
	}
	info.Area = []capArea{area}
	a.Info = []capInfo{info}

	var b bytes.Buffer
	b.Grow(2048)
	b.WriteString(xml.Header)
	enc := xml.NewEncoder(&b)
	enc.Indent("", "  ")
	if err := enc.Encode(a); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// unitList names the assigned units: "A1 (ambulance, on_scene), …".
func unitList(as []tracking.Assignment) string {
	var sb strings.Builder
	for i, a := range as {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(a.UnitID + " (" + string(a.UnitType) + ", " + string(a.Status) + ")")
	}
	return sb.String()
}

// coord writes decimal degrees with 6 decimals (about 0.1 m).
func coord(v float64) string { return strconv.FormatFloat(v, 'f', 6, 64) }

// clip shortens s to at most n runes.
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
