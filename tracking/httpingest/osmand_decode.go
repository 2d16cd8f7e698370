package httpingest

import (
	"bytes"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode"

	"siaga112/tracking"
)

// report is one decoded OsmAnd or Traccar Client request.
type report struct {
	trackerID string
	fix       tracking.Fix
}

// knotsToKmh: the OsmAnd protocol's speed is in knots.
const knotsToKmh = 1.852

// mpsToKmh: Traccar Client's JSON speed, and the OsmAnd app's, are in
// metres per second.
const mpsToKmh = 3.6

func badParam(name, detail string) *refusal {
	return &refusal{status: http.StatusBadRequest, reason: ReasonBadParam, detail: name + ": " + detail}
}

func missingParam(name string) *refusal {
	return &refusal{status: http.StatusBadRequest, reason: ReasonMissingParam, detail: name + " is missing"}
}

// first returns the first non-empty value of any of the names (trackers
// differ in spelling; an empty value counts as absent, as in Traccar).
func first(v url.Values, names ...string) (string, string, bool) {
	for _, n := range names {
		for _, s := range v[n] {
			if s != "" {
				return n, s, true
			}
		}
	}
	return names[0], "", false
}

// decodeParams decodes the OsmAnd query or form parameters: id, lat, lon,
// timestamp (Unix seconds, milliseconds or ISO 8601; absent: now), speed
// (knots), bearing, altitude (m), accuracy (m), batt (%). Unknown parameters
// (charge, valid, key, …) are ignored.
//
// hdop marks the OsmAnd app, whose live-monitoring template sends
// speed={5} from Android's Location.getSpeed() in m/s and hdop={3}, its
// accuracy in metres: with hdop, speed is m/s and hdop is the accuracy when
// accuracy itself is absent. Hardware trackers send no hdop, and knots.
func decodeParams(v url.Values, now time.Time) (report, *refusal) {
	var rep report
	_, id, ok := first(v, "id", "deviceid")
	if !ok {
		return rep, missingParam("id")
	}
	if err := checkTrackerID(id); err != nil {
		return rep, err
	}
	rep.trackerID = id
	lat, ref := requiredNumber(v, "lat")
	if ref != nil {
		return rep, ref
	}
	lon, ref := requiredNumber(v, "lon")
	if ref != nil {
		return rep, ref
	}
	f := tracking.Fix{Lat: lat, Lon: lon, At: now}
	if _, s, ok := first(v, "timestamp"); ok {
		at, err := parseTime(s)
		if err != nil {
			return rep, badParam("timestamp", err.Error())
		}
		f.At = at
	}
	var err *refusal
	hdop, err := optionalNumber(v, 1, "hdop")
	if err != nil {
		return rep, err
	}
	speedScale := knotsToKmh
	if hdop.Valid {
		speedScale = mpsToKmh
	}
	if f.SpeedKmh, err = optionalNumber(v, speedScale, "speed"); err != nil {
		return rep, err
	}
	if f.Heading, err = optionalNumber(v, 1, "bearing", "heading"); err != nil {
		return rep, err
	}
	if f.AltitudeM, err = optionalNumber(v, 1, "altitude"); err != nil {
		return rep, err
	}
	if f.AccuracyM, err = optionalNumber(v, 1, "accuracy"); err != nil {
		return rep, err
	}
	if !f.AccuracyM.Valid {
		f.AccuracyM = hdop
	}
	if f.Battery, err = optionalNumber(v, 1, "batt"); err != nil {
		return rep, err
	}
	rep.fix, err = checkFix(f.Normalize(), now)
	return rep, err
}

func requiredNumber(v url.Values, name string) (float64, *refusal) {
	_, s, ok := first(v, name)
	if !ok {
		return 0, missingParam(name)
	}
	x, err := parseNumber(s)
	if err != nil {
		return 0, badParam(name, err.Error())
	}
	return x, nil
}

func optionalNumber(v url.Values, scale float64, names ...string) (tracking.Optional, *refusal) {
	name, s, ok := first(v, names...)
	if !ok {
		return tracking.Optional{}, nil
	}
	x, err := parseNumber(s)
	if err != nil {
		return tracking.Optional{}, badParam(name, err.Error())
	}
	return tracking.Some(x * scale), nil
}

var errNotNumber = errors.New("not a number")

func parseNumber(s string) (float64, error) {
	if len(s) > 32 {
		return 0, errNotNumber
	}
	x, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(x) || math.IsInf(x, 0) {
		return 0, errNotNumber
	}
	return x, nil
}

// msThreshold tells milliseconds from seconds: 1e11 s is the year 5138,
// 1e11 ms is March 1973.
const msThreshold = 1e11

var isoLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02T15:04:05.999999999Z0700",
	"2006-01-02T15:04:05.999999999", // no zone: UTC
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02 15:04:05.999999999",
}

// parseTime reads Unix seconds (fractions kept to the millisecond), Unix
// milliseconds, or ISO 8601 (UTC when it names no zone).
func parseTime(s string) (time.Time, error) {
	if len(s) > 40 {
		return time.Time{}, errors.New("not a time")
	}
	if x, err := strconv.ParseFloat(s, 64); err == nil && s[0] >= '0' && s[0] <= '9' {
		if x >= msThreshold {
			x /= 1000
		}
		t, ok := tracking.EpochSeconds(x)
		if !ok {
			return time.Time{}, errors.New("not a Unix time")
		}
		return t, nil
	}
	for _, l := range isoLayouts {
		if t, err := time.Parse(l, s); err == nil {
			if t.Unix() <= 0 {
				break
			}
			return t.UTC(), nil
		}
	}
	// A tracker that does not escape its query sends "+07:00" as " 07:00".
	if strings.Contains(s, "T") && strings.Count(s, " ") == 1 {
		return parseTime(strings.Replace(s, " ", "+", 1))
	}
	return time.Time{}, errors.New("not Unix seconds, milliseconds or an ISO 8601 time")
}

func checkTrackerID(id string) *refusal {
	if len(id) > tracking.MaxIDLen {
		return badParam("id", "longer than "+strconv.Itoa(tracking.MaxIDLen)+" characters")
	}
	for _, r := range id {
		if r == '\uFFFD' || unicode.IsControl(r) || unicode.IsSpace(r) {
			return badParam("id", "contains a space or a control character")
		}
	}
	return nil
}

func checkFix(f tracking.Fix, now time.Time) (tracking.Fix, *refusal) {
	p, detail := f.Check(now)
	switch p {
	case tracking.FixOK:
		return f, nil
	case tracking.FixFuture:
		return f, &refusal{status: http.StatusBadRequest, reason: ReasonFuture, detail: "timestamp: " + detail}
	}
	return f, &refusal{status: http.StatusBadRequest, reason: Reason(p), detail: "lat/lon: " + detail}
}

// traccarJSON is Traccar Client's body (the shape of the
// background-geolocation plugin it is built on).
type traccarJSON struct {
	DeviceID json.RawMessage `json:"device_id"`
	Location *struct {
		Timestamp json.RawMessage `json:"timestamp"`
		Coords    *struct {
			Latitude  *float64 `json:"latitude"`
			Longitude *float64 `json:"longitude"`
			Speed     *float64 `json:"speed"`
			Heading   *float64 `json:"heading"`
			Altitude  *float64 `json:"altitude"`
			Accuracy  *float64 `json:"accuracy"`
		} `json:"coords"`
		Battery *struct {
			Level *float64 `json:"level"`
		} `json:"battery"`
	} `json:"location"`
}

// decodeTraccarJSON decodes {"device_id", "location": {"timestamp",
// "coords": {latitude, longitude, speed (m/s), heading, altitude, accuracy},
// "battery": {"level" (0–1)}}}. -1 means unknown, as the apps send it.
func decodeTraccarJSON(body []byte, now time.Time) (report, *refusal) {
	var rep report
	var w traccarJSON
	if err := json.Unmarshal(body, &w); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return rep, &refusal{status: http.StatusBadRequest, reason: ReasonNotJSON, detail: te.Field + ": a JSON " + te.Value + ", not a " + te.Type.String()}
		}
		return rep, &refusal{status: http.StatusBadRequest, reason: ReasonNotJSON, detail: "body is not a JSON object"}
	}
	id, ok := jsonScalar(w.DeviceID)
	if !ok || id == "" {
		return rep, missingParam("device_id")
	}
	if err := checkTrackerID(id); err != nil {
		err.detail = "device_id" + strings.TrimPrefix(err.detail, "id")
		return rep, err
	}
	rep.trackerID = id
	if w.Location == nil {
		return rep, missingParam("location")
	}
	c := w.Location.Coords
	if c == nil {
		return rep, missingParam("location.coords")
	}
	if c.Latitude == nil {
		return rep, missingParam("location.coords.latitude")
	}
	if c.Longitude == nil {
		return rep, missingParam("location.coords.longitude")
	}
	f := tracking.Fix{Lat: *c.Latitude, Lon: *c.Longitude, At: now,
		SpeedKmh: scaled(c.Speed, mpsToKmh), Heading: scaled(c.Heading, 1),
		AltitudeM: scaled(c.Altitude, 1), AccuracyM: scaled(c.Accuracy, 1)}
	if b := w.Location.Battery; b != nil && b.Level != nil && *b.Level >= 0 {
		f.Battery = tracking.Some(*b.Level * 100)
	}
	if ts, ok := jsonScalar(w.Location.Timestamp); ok && ts != "" {
		at, err := parseTime(ts)
		if err != nil {
			return rep, badParam("location.timestamp", err.Error())
		}
		f.At = at
	}
	var ref *refusal
	rep.fix, ref = checkFix(f.Normalize(), now)
	return rep, ref
}

func scaled(v *float64, k float64) tracking.Optional {
	if v == nil {
		return tracking.Optional{}
	}
	return tracking.Some(*v * k)
}

// jsonScalar reads a JSON string or number as text.
func jsonScalar(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String(), true
	}
	return "", false
}
