package interop

import (
	"encoding/json"
	"encoding/xml"
	"html"
	"strconv"
	"strings"
	"time"

	"siaga112/tracking"
)

// EIDO, the NENA Emergency Incident Data Object (NENA-STA-021.1), in
// JSON. Names follow the standard's schema: a document whose $id is the
// Incident Tracking Identifier, an incidentComponent, the agencies, the
// locations (each a PIDF-LO by value) and the notes; every component
// carries the common prologue ($id, lastUpdateTimeStamp,
// updatedByAgencyReference). Registry values are the standard's.
//
// Two names of the 2020 draft are written too, because receivers built on
// it (and siaga112's issue) read them: incidentTrackingIdentifier (the
// same value as $id) and locationInformationComponent (the same list as
// locationComponent).

// EIDOContentType is the media type of an EIDO answer.
const EIDOContentType = "application/json"

type eidoRef struct {
	Ref string `json:"$ref"`
}

type eidoPrologue struct {
	ID                       string  `json:"$id"`
	LastUpdateTimeStamp      string  `json:"lastUpdateTimeStamp"`
	UpdatedByAgencyReference eidoRef `json:"updatedByAgencyReference"`
}

type eidoDocument struct {
	eidoPrologue
	IncidentTrackingIdentifier   string            `json:"incidentTrackingIdentifier"`
	EIDOVersion                  string            `json:"eidoVersion"`
	IssuingElementIdentification string            `json:"issuingElementIdentification"`
	IncidentComponent            eidoIncident      `json:"incidentComponent"`
	AgencyComponent              []eidoAgency      `json:"agencyComponent"`
	LocationComponent            []eidoLocation    `json:"locationComponent"`
	LocationInformationComponent []eidoLocation    `json:"locationInformationComponent"`
	NotesComponent               []eidoNote        `json:"notesComponent,omitempty"`
	Context                      map[string]string `json:"@context"`
}

type eidoIncident struct {
	eidoPrologue
	IncidentTypeCommonRegistryText   string    `json:"incidentTypeCommonRegistryText"`
	IncidentTypeInternalCode         string    `json:"incidentTypeInternalCode"`
	IncidentTypeInternalText         string    `json:"incidentTypeInternalText"`
	IncidentStatusCommonRegistryText []string  `json:"incidentStatusCommonRegistryText"`
	IncidentStatusInternalText       []string  `json:"incidentStatusInternalText"`
	InternalIncidentID               string    `json:"internalIncidentId"`
	LocationReference                []eidoRef `json:"locationReference"`
	NotesReference                   []eidoRef `json:"notesReference,omitempty"`
}

type eidoAgency struct {
	eidoPrologue
	AgencyJcard                       string   `json:"agencyJcard,omitempty"`
	AgencyRoleDescriptionRegistryText []string `json:"agencyRoleDescriptionRegistryText"`
	AgencyType                        []string `json:"agencyType"`
	IncidentOwningAgencyIndicator     bool     `json:"incidentOwningAgencyIndicator"`
}

type eidoLocation struct {
	eidoPrologue
	LocationTypeDescriptionRegistryText string `json:"locationTypeDescriptionRegistryText"`
	LocationByValue                     string `json:"locationByValue"`
	LocationDescriptionText             string `json:"locationDescriptionText,omitempty"`
}

type eidoNote struct {
	eidoPrologue
	NotesActionComments string `json:"notesActionComments"` // HTML5
}

// eidoIncidentTypes maps the default plans' case types to the standard's
// "Incident Type – Common" registry (APCO ANS 2.103.2 codes); a city's
// own type is TROUBLE ("unknown type trouble") until mapped here.
var eidoIncidentTypes = map[tracking.Category]string{
	"fire":             "FUNK",     // fire, type unknown
	"traffic_accident": "MVAUNK",   // motor vehicle accident, injuries unknown
	"medical":          "SICK",     // sick person, non-specific
	"ambulance":        "TRANSFER", // transport by ambulance
	"hearse":           "DEATH",    // a body to collect
	"disaster":         "HAZ",      // natural hazards
	"fallen_tree":      "HAZ",
	"animal_hazard":    "ANIMAL",
	"stunting":         "NONEMERG",
}

// EIDOIncidentType is the common registry code of a case type.
func EIDOIncidentType(c tracking.Category) string {
	if s, ok := eidoIncidentTypes[c]; ok {
		return s
	}
	return "TROUBLE"
}

// responderTypes maps Indonesian agency codes to the IANA
// urn:emergency:service:responder types EIDO's agencyType takes.
var responderTypes = map[string]string{
	"damkar":   "fire",
	"dinkes":   "ems",
	"pmi":      "ems",
	"polri":    "police",
	"polda":    "police",
	"polresta": "police",
	"polres":   "police",
	"polsek":   "police",
	"basarnas": "mountain_rescue",
}

func responderType(code string) string {
	if s, ok := responderTypes[code]; ok {
		return s
	}
	return "other"
}

// EIDO writes the incident as a NENA EIDO JSON document: the incident, the
// centre and the agencies working it, its location as a PIDF-LO point,
// the call-taker's description and the notes (HTML-escaped, as the
// standard's notes are HTML5). The caller's number is not written (a
// personComponent would carry it; outside systems get the case, not the
// number).
func (e Encoder) EIDO(in tracking.Incident) ([]byte, error) {
	if err := checkID(in.ID); err != nil {
		return nil, err
	}
	psap, zone := e.psap(), e.zone()
	ts := func(t time.Time) string { return t.In(zone).Format(time.RFC3339) }
	updated, received := ts(updatedAt(in)), ts(in.ReceivedAt)
	by := eidoRef{psap}
	trackingID := EIDOTrackingID(in.ID, psap)
	base := psap + ":incident:" + in.ID

	loc := eidoLocation{
		eidoPrologue:                        eidoPrologue{base + ":location:1", received, by},
		LocationTypeDescriptionRegistryText: "CurrentIncident",
		LocationByValue:                     pidfLO(in, psap, received),
		LocationDescriptionText:             placeText(in),
	}

	inc := eidoIncident{
		eidoPrologue:                     eidoPrologue{base, updated, by},
		IncidentTypeCommonRegistryText:   EIDOIncidentType(in.Category),
		IncidentTypeInternalCode:         string(in.Category),
		IncidentTypeInternalText:         e.label(in.Category),
		IncidentStatusCommonRegistryText: eidoStatus(in),
		IncidentStatusInternalText:       []string{string(in.Status)},
		InternalIncidentID:               in.ID,
		LocationReference:                []eidoRef{{loc.ID}},
	}

	var notes []eidoNote
	if in.Description != "" {
		notes = append(notes, eidoNote{eidoPrologue{base + ":note:0", received, by}, html.EscapeString(in.Description)})
	}
	for i, n := range in.Notes {
		text := n.Text
		if n.By != "" {
			text = n.By + ": " + text
		}
		notes = append(notes, eidoNote{eidoPrologue{base + ":note:" + strconv.Itoa(i+1), ts(n.At), by}, html.EscapeString(text)})
	}
	for _, n := range notes {
		inc.NotesReference = append(inc.NotesReference, eidoRef{n.ID})
	}

	agencies := []eidoAgency{{
		eidoPrologue:                      eidoPrologue{psap, updated, by},
		AgencyJcard:                       jcard(e.senderName()),
		AgencyRoleDescriptionRegistryText: []string{"CallReceiving", "Dispatching"},
		AgencyType:                        []string{"psap"},
		IncidentOwningAgencyIndicator:     true,
	}}
	seen := map[string]bool{}
	addAgency := func(code string) {
		if code == "" || seen[code] {
			return
		}
		seen[code] = true
		agencies = append(agencies, eidoAgency{
			eidoPrologue:                      eidoPrologue{code + "." + psap, updated, by},
			AgencyJcard:                       jcard(e.agencyName(code)),
			AgencyRoleDescriptionRegistryText: []string{"Dispatched"},
			AgencyType:                        []string{responderType(code)},
		})
	}
	addAgency(in.LeadAgency)
	for _, p := range in.AgencyParts {
		addAgency(p.Agency)
	}

	doc := eidoDocument{
		eidoPrologue:                 eidoPrologue{trackingID, updated, by},
		IncidentTrackingIdentifier:   trackingID,
		EIDOVersion:                  "1.0",
		IssuingElementIdentification: psap,
		IncidentComponent:            inc,
		AgencyComponent:              agencies,
		LocationComponent:            []eidoLocation{loc},
		LocationInformationComponent: []eidoLocation{loc},
		NotesComponent:               notes,
		Context:                      map[string]string{"@vocab": "./JSON-LD_Contexts/EmergencyIncidentDataObjectType.jsonld"},
	}
	return json.Marshal(doc)
}

// EIDOTrackingID is the Incident Tracking Identifier of an incident
// (NENA-STA-010's form): urn:emergency:uid:incidentid:<id>:<psap-id>.
func EIDOTrackingID(incidentID, psapID string) string {
	return "urn:emergency:uid:incidentid:" + incidentID + ":" + psapID
}

// eidoStatus is the incident's state in the "Incident Status – Common"
// registry.
func eidoStatus(in tracking.Incident) []string {
	if in.Status == tracking.IncidentClosed {
		return []string{"Closed"}
	}
	s := []string{"Active"}
	if len(in.Assignments) > 0 {
		s = append(s, "ResourcesAssigned")
	}
	if in.EnRouteAt != nil {
		s = append(s, "ResourcesEnroute")
	}
	if in.OnSceneAt != nil {
		s = append(s, "ResourcesOnscene")
	}
	return s
}

// jcard is a minimal jCard (RFC 7095) naming an organisation.
func jcard(name string) string {
	b, _ := json.Marshal([]any{"vcard", [][]any{
		{"version", map[string]any{}, "text", "4.0"},
		{"fn", map[string]any{}, "text", name},
		{"kind", map[string]any{}, "text", "org"},
	}})
	return string(b)
}

// pidfLO is the incident's location as a PIDF-LO document (RFC 4119, RFC
// 5491): a GML point in WGS 84 (EPSG::4326, latitude first), and, when the
// incident lies in a kelurahan, a civic address (RFC 5139: A3 kecamatan,
// A4 kelurahan) in a second device element.
func pidfLO(in tracking.Incident, psap, at string) string {
	var b strings.Builder
	b.Grow(1024)
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>`)
	b.WriteString(`<presence xmlns="urn:ietf:params:xml:ns:pidf" xmlns:dm="urn:ietf:params:xml:ns:pidf:data-model"`)
	b.WriteString(` xmlns:gp="urn:ietf:params:xml:ns:pidf:geopriv10" xmlns:gml="http://www.opengis.net/gml"`)
	b.WriteString(` xmlns:ca="urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr" entity="pres:`)
	xmlText(&b, "incident-"+in.ID+"@"+psap)
	b.WriteString(`"><dm:device id="point"><gp:geopriv><gp:location-info>`)
	b.WriteString(`<gml:Point srsName="urn:ogc:def:crs:EPSG::4326"><gml:pos>`)
	b.WriteString(coord(in.Lat) + " " + coord(in.Lon))
	b.WriteString(`</gml:pos></gml:Point></gp:location-info><gp:usage-rules/><gp:method>Manual</gp:method>`)
	b.WriteString(`</gp:geopriv><dm:timestamp>` + at + `</dm:timestamp></dm:device>`)
	if in.Kelurahan.Name != "" || in.Kecamatan.Name != "" {
		b.WriteString(`<dm:device id="civic"><gp:geopriv><gp:location-info><ca:civicAddress xml:lang="id"><ca:country>ID</ca:country>`)
		if in.Kecamatan.Name != "" {
			b.WriteString(`<ca:A3>`)
			xmlText(&b, in.Kecamatan.Name)
			b.WriteString(`</ca:A3>`)
		}
		if in.Kelurahan.Name != "" {
			b.WriteString(`<ca:A4>`)
			xmlText(&b, in.Kelurahan.Name)
			b.WriteString(`</ca:A4>`)
		}
		b.WriteString(`</ca:civicAddress></gp:location-info><gp:usage-rules/><gp:method>Manual</gp:method>`)
		b.WriteString(`</gp:geopriv><dm:timestamp>` + at + `</dm:timestamp></dm:device>`)
	}
	b.WriteString(`</presence>`)
	return b.String()
}

func xmlText(b *strings.Builder, s string) { _ = xml.EscapeText(b, []byte(s)) }
