// Package interop speaks the standard formats of emergency services at the
// centre's edges: incidents out as OASIS CAP 1.2 and NENA EIDO JSON
// (NENA-STA-021), caller locations in as Advanced Mobile Location (ETSI
// TS 103 625, by SMS and by HTTPS). It does no I/O: bytes in, values out.
package interop

import (
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"siaga112/tracking"
)

// DefaultPSAPID identifies the centre when --psap-id is not given: Kota
// Serang's 112 service.
const DefaultPSAPID = "112.serangkota.go.id"

// WIB is Western Indonesian Time (UTC+7, no daylight saving), the zone of
// the times the encoders write unless told otherwise.
var WIB = time.FixedZone("WIB", 7*3600)

// Encoder writes incidents for outside systems. Its fields are the
// centre's settings; the zero value writes with the defaults. It is safe
// for concurrent use.
type Encoder struct {
	// PSAPID names the centre: CAP's sender, EIDO's issuing element and
	// the domain of its identifiers. Default DefaultPSAPID.
	PSAPID string
	// SenderName is the centre's name for people (CAP senderName);
	// default "Serang Siaga 112".
	SenderName string
	// Zone is the zone times are written in; default WIB.
	Zone *time.Location
	// CategoryLabel names a case type for people ("Kebakaran"), from the
	// plans file; nil, or "" for a category, writes the key.
	CategoryLabel func(tracking.Category) string
	// AgencyName names an agency code ("Dinas Pemadam Kebakaran …"); nil,
	// or "", writes the code.
	AgencyName func(code string) string
}

func (e Encoder) psap() string {
	if e.PSAPID == "" {
		return DefaultPSAPID
	}
	return e.PSAPID
}

func (e Encoder) zone() *time.Location {
	if e.Zone == nil {
		return WIB
	}
	return e.Zone
}

func (e Encoder) senderName() string {
	if e.SenderName == "" {
		return "Serang Siaga 112"
	}
	return e.SenderName
}

func (e Encoder) label(c tracking.Category) string {
	if e.CategoryLabel != nil {
		if l := e.CategoryLabel(c); l != "" {
			return l
		}
	}
	return string(c)
}

func (e Encoder) agencyName(code string) string {
	if e.AgencyName != nil {
		if n := e.AgencyName(code); n != "" {
			return n
		}
	}
	return code
}

// ValidatePSAPID checks a centre identifier as --psap-id gives it: CAP
// forbids spaces, commas, "<" and "&" in sender, and EIDO builds URNs
// from it, so it is a domain-like name: letters, digits, '.', '-', '_'
// and '@', at most 253 bytes.
func ValidatePSAPID(id string) error {
	if id == "" || len(id) > 253 {
		return tracking.Errorf(tracking.CodeInvalid, "the PSAP id must be 1 to 253 characters, such as %s", DefaultPSAPID)
	}
	for _, r := range id {
		if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(".-_@", r))) {
			return tracking.Errorf(tracking.CodeInvalid, "the PSAP id %q may hold only letters, digits, '.', '-', '_' and '@' (a domain name such as %s)", id, DefaultPSAPID)
		}
	}
	return nil
}

// checkID refuses an incident id that cannot name a CAP message or an
// EIDO URN (spaces, commas, ':' and markup).
func checkID(id string) error {
	if id == "" || len(id) > 200 || strings.ContainsFunc(id, func(r rune) bool {
		return unicode.IsSpace(r) || unicode.IsControl(r) || strings.ContainsRune(",:<>&\"'", r)
	}) {
		return tracking.Errorf(tracking.CodeInvalid, "incident id %q cannot be written as a CAP identifier or EIDO URN", id)
	}
	return nil
}

// lastChange is when the incident last changed after it was received:
// an acknowledgement, a dispatch or a unit's progress, a note, the close.
// ok is false for an incident nobody has touched yet.
func lastChange(in tracking.Incident) (t time.Time, ok bool) {
	see := func(p *time.Time) {
		if p != nil && (!ok || p.After(t)) {
			t, ok = *p, true
		}
	}
	for _, p := range []*time.Time{in.DispatchedAt, in.EnRouteAt, in.OnSceneAt, in.ClearedAt, in.ClosedAt, in.AgencyActedAt} {
		see(p)
	}
	for _, a := range in.Assignments {
		d := a.DispatchedAt
		see(&d)
		for _, p := range []*time.Time{a.EnRouteAt, a.OnSceneAt, a.TransportingAt, a.AtHospitalAt, a.ClearedAt} {
			see(p)
		}
	}
	for _, p := range in.AgencyParts {
		see(p.AckedAt)
		see(p.DoneAt)
	}
	for _, n := range in.Notes {
		at := n.At
		see(&at)
	}
	return t, ok
}

// updatedAt is the time of the incident's newest state: its last change,
// never before it was received.
func updatedAt(in tracking.Incident) time.Time {
	if t, ok := lastChange(in); ok && t.After(in.ReceivedAt) {
		return t
	}
	return in.ReceivedAt
}

// placeText says where the incident is, for people: "Kelurahan X,
// Kecamatan Y", or its coordinates when it lies in no kelurahan.
func placeText(in tracking.Incident) string {
	switch {
	case in.Kelurahan.Name != "" && in.Kecamatan.Name != "":
		return "Kelurahan " + in.Kelurahan.Name + ", Kecamatan " + in.Kecamatan.Name
	case in.Kelurahan.Name != "":
		return "Kelurahan " + in.Kelurahan.Name
	case in.Kecamatan.Name != "":
		return "Kecamatan " + in.Kecamatan.Name
	}
	return "Titik " + coord(in.Lat) + ", " + coord(in.Lon) + " (di luar wilayah kelurahan)"
}

// callerText is the caller as outside systems may see it.
func callerText(n string) string {
	if n == "" {
		return "tidak diketahui"
	}
	return tracking.MaskPhone(n)
}
