package interop

import (
	"math"
	"strconv"
	"strings"
	"time"

	"siaga112/geo"
	"siaga112/tracking"
)

// AML is one Advanced Mobile Location message (ETSI TS 103 625): where a
// phone calling 112 says it is. Phones send it by SMS (ParseAMLSMS) or
// post it over HTTPS (ParseAMLHTTPS).
type AML struct {
	// Version is the message's version ("1"). Another version is not
	// decoded: Raw keeps it, Located is false.
	Version string
	// Located: the phone found a position; Location holds it. Otherwise
	// Reason says why there is none.
	Located  bool
	Location tracking.CallerLocation
	Reason   string
	// What the phone says of itself and its network (may be empty).
	IMSI, IMEI, MCC, MNC string
	// Raw is the SMS as received, without the trailing CR/LF.
	Raw string
}

// MaxAMLSMS bounds an AML SMS (a real one is about 130 bytes; several
// concatenated parts stay far below).
const MaxAMLSMS = 2048

// amlPrefix starts every AML SMS; the version follows it.
const amlPrefix = `A"ML=`

// amlRequired are the v1 fields without which a message is refused (the
// position fields only when the phone says it has one).
var amlRequired = [...]string{"lt", "lg", "rd", "top", "pm", "ml"}

// ParseAMLSMS decodes the text of an AML SMS, received at received. The
// sender's number is not in the text (the SMS gateway knows it): the
// caller sets Location.Number. A v1 message with a position is Located;
// pm=N (no position found) is not; another version is kept Raw. Every
// refusal is CodeInvalid and names the field.
func ParseAMLSMS(text string, received time.Time) (AML, error) {
	text = strings.TrimRight(text, "\r\n")
	var a AML
	if len(text) > MaxAMLSMS {
		return a, tracking.Errorf(tracking.CodeInvalid, "the AML SMS is %d bytes long; at most %d are accepted", len(text), MaxAMLSMS)
	}
	rest, ok := strings.CutPrefix(text, amlPrefix)
	if !ok {
		return a, tracking.Errorf(tracking.CodeInvalid, `the text is no AML message: it must start with A"ML=`)
	}
	a.Raw = text
	version, fields, _ := strings.Cut(rest, ";")
	a.Version = version
	if version != "1" {
		if version == "" || len(version) > 10 || strings.Trim(version, "0123456789.") != "" {
			return a, tracking.Errorf(tracking.CodeInvalid, "the AML version %q is not a version number", clip(version, 10))
		}
		a.Reason = "AML version " + version + " is not decoded; the message is kept as received"
		return a, nil
	}

	// The v1 fields, name=value;… in any order. Unknown names are left
	// for later versions of the standard.
	var v [len(amlRequired)]string
	var seen [len(amlRequired)]bool
	var lc string
	// A malformed field is reported after the length check: a message cut
	// in transit is best told as such.
	var malformed error
	for fields != "" {
		var f string
		f, fields, _ = strings.Cut(fields, ";")
		name, value, ok := strings.Cut(f, "=")
		if !ok {
			if f == "" {
				continue
			}
			if malformed == nil {
				malformed = tracking.Errorf(tracking.CodeInvalid, "AML field %q has no value (name=value)", clip(f, 20))
			}
			continue
		}
		if i := requiredIndex(name); i >= 0 {
			if seen[i] && malformed == nil {
				malformed = tracking.Errorf(tracking.CodeInvalid, "AML field %q appears twice", name)
			}
			seen[i], v[i] = true, value
			continue
		}
		switch name {
		case "lc":
			lc = value
		case "si":
			a.IMSI = value
		case "ei":
			a.IMEI = value
		case "mcc":
			a.MCC = value
		case "mnc":
			a.MNC = value
		}
	}
	lt, lg, rd, top, pm, ml := v[0], v[1], v[2], v[3], v[4], v[5]

	// ml: the length of the whole message, its own digits included.
	if !seen[5] {
		return a, missingAML("ml", "the message length")
	}
	if n, err := strconv.Atoi(ml); err != nil || n != len(text) {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field ml=%s does not match the message length (%d characters): the message is cut or changed", clip(ml, 10), len(text))
	}
	if malformed != nil {
		return a, malformed
	}
	for _, s := range []struct{ name, value string }{{"si", a.IMSI}, {"ei", a.IMEI}, {"mcc", a.MCC}, {"mnc", a.MNC}} {
		if !digits(s.value, 20) {
			return a, tracking.Errorf(tracking.CodeInvalid, "AML field %s=%q must be digits", s.name, clip(s.value, 20))
		}
	}
	if !seen[4] {
		return a, missingAML("pm", "the positioning method")
	}
	if pm == "N" {
		a.Reason = "the phone found no position (pm=N)"
		return a, nil
	}
	for i, name := range amlRequired[:4] {
		if !seen[i] || v[i] == "" {
			return a, missingAML(name, [...]string{"the latitude", "the longitude", "the radius in metres", "the time of the fix"}[i])
		}
	}
	lat, err := parseDegrees(lt)
	if err != nil || !geo.ValidLat(lat) {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field lt=%s: the latitude must be decimal degrees within ±90", clip(lt, 20))
	}
	lon, err := parseDegrees(lg)
	if err != nil || !geo.ValidLon(lon) {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field lg=%s: the longitude must be decimal degrees within ±180", clip(lg, 20))
	}
	if lat == 0 && lon == 0 {
		a.Reason = "the position 0, 0 is no fix"
		return a, nil
	}
	radius, err := strconv.ParseFloat(rd, 64)
	if err != nil || !(radius >= 0 && radius < 1e7) {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field rd=%s: the radius must be metres (a number ≥ 0)", clip(rd, 20))
	}
	fix, err := time.Parse("20060102150405", top)
	if err != nil || len(top) != 14 {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field top=%s: the time of the fix must be UTC YYYYMMDDhhmmss", clip(top, 20))
	}
	conf, err := parsePercent(lc)
	if err != nil {
		return a, tracking.Errorf(tracking.CodeInvalid, "AML field lc=%s: the confidence must be a percentage 0 to 100", clip(lc, 10))
	}
	a.Located = true
	a.Location = tracking.CallerLocation{
		Lat: lat, Lon: lon, RadiusM: radius,
		Source: tracking.SourceAMLSMS, Method: amlSMSMethod(pm), ConfidencePct: conf,
		At: fix, ReceivedAt: received,
	}
	return a, nil
}

func requiredIndex(name string) int {
	for i, r := range amlRequired {
		if r == name {
			return i
		}
	}
	return -1
}

func missingAML(name, what string) error {
	return tracking.Errorf(tracking.CodeInvalid, "AML field %s (%s) is missing", name, what)
}

// amlSMSMethod maps the v1 positioning method letter.
func amlSMSMethod(pm string) tracking.PositionMethod {
	switch pm {
	case "G":
		return tracking.MethodGNSS
	case "W":
		return tracking.MethodWiFi
	case "C":
		return tracking.MethodCell
	}
	return tracking.MethodUnknown
}

// parseDegrees reads a signed decimal ("-6.11500", "+106.15"); no
// exponents, no NaN or infinities.
func parseDegrees(s string) (float64, error) {
	if s == "" || strings.ContainsAny(s, "eEnNiIxX_") {
		return 0, strconv.ErrSyntax
	}
	return strconv.ParseFloat(s, 64)
}

// parsePercent reads an optional percentage.
func parsePercent(s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || !(f >= 0 && f <= 100) {
		return nil, strconv.ErrRange
	}
	n := int(math.Round(f))
	return &n, nil
}

// digits reports whether s is empty or at most max ASCII digits.
func digits(s string, max int) bool {
	if len(s) > max {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
