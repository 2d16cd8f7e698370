// Package mqtt brings telemetry into the fleet over MQTT: OwnTracks positions,
// Last Wills and crew status, through an eclipse/paho.mqtt.golang client, and
// an embedded mochi-mqtt broker for the default run.
package mqtt

import (
	"encoding/json"
	"errors"
	"math"
	"strings"
	"time"

	"siaga112/tracking"
)

// Reason says why a message was dropped. Each is a metric label.
type Reason string

const (
	ReasonNotJSON      Reason = "not_json"      // payload is not JSON
	ReasonWrongType    Reason = "wrong_type"    // a field has the wrong JSON type
	ReasonMissingField Reason = "missing_field" // lat, lon, tst or status absent
	ReasonOutOfRange   Reason = "out_of_range"  // lat/lon outside WGS 84, or a negative time
	ReasonFuture       Reason = "future"        // fix time more than MaxFuture ahead
	ReasonBadTopic     Reason = "bad_topic"     // topic does not name a valid unit
	ReasonBadStatus    Reason = "bad_status"    // unknown crew status
	ReasonUnregistered Reason = "unregistered"  // no such unit in the fleet
	ReasonTooLarge     Reason = "too_large"     // payload over MaxPayload bytes
)

const numReasons = 9

// Reasons lists every drop reason, so metrics show zeros too.
var Reasons = [numReasons]Reason{ReasonNotJSON, ReasonWrongType, ReasonMissingField, ReasonOutOfRange,
	ReasonFuture, ReasonBadTopic, ReasonBadStatus, ReasonUnregistered, ReasonTooLarge}

// MaxFuture is how far ahead of the server's clock a fix time may be.
const MaxFuture = 5 * time.Minute

// MaxPayload caps a message; an OwnTracks location is about 150 bytes.
const MaxPayload = 4096

// DropError is a dropped message: the reason and a sentence for the log.
type DropError struct {
	Reason Reason
	Detail string
}

func (e *DropError) Error() string { return string(e.Reason) + ": " + e.Detail }

func drop(r Reason, detail string) error { return &DropError{Reason: r, Detail: detail} }

// Kind is what a decoded message asks for.
type Kind int

const (
	KindIgnored  Kind = iota // a valid message of a type we do not use
	KindLocation             // a position fix
	KindLastWill             // the tracker went away
	KindStatus               // the crew changed status
)

// Message is one decoded telemetry message.
type Message struct {
	Kind     Kind
	UnitID   string
	Agency   string            // from an OwnTracks topic; "" on status topics
	Position tracking.Position // KindLocation
	Status   tracking.Status   // KindStatus
	At       time.Time         // KindStatus and KindLastWill: when it was stamped
}

// Topic filters the ingest subscribes to.
const (
	LocationTopics = "owntracks/+/+"
	StatusTopics   = "siaga112/units/+/status"
)

// LocationTopic is the topic a unit's tracker publishes fixes to.
func LocationTopic(agency, unitID string) string { return "owntracks/" + agency + "/" + unitID }

// StatusTopic is the topic a unit's crew publishes status to.
func StatusTopic(unitID string) string { return "siaga112/units/" + unitID + "/status" }

// wire is the union of the OwnTracks location/lwt and the status payloads.
// Pointers tell "absent" from zero. Times are epoch seconds; fractions are
// accepted (OwnTracks sends whole seconds, our simulator milliseconds).
type wire struct {
	Type   string   `json:"_type"`
	Lat    *float64 `json:"lat"`
	Lon    *float64 `json:"lon"`
	Tst    *float64 `json:"tst"`
	Acc    *float64 `json:"acc"`
	Vel    *float64 `json:"vel"`
	Cog    *float64 `json:"cog"`
	Batt   *float64 `json:"batt"`
	Status *string  `json:"status"`
}

// Decode turns one MQTT message into a Message, or a *DropError saying why
// it must be dropped. now is the server's clock, to refuse fixes from the
// future. Decode never panics, whatever the input.
func Decode(topic string, payload []byte, now time.Time) (Message, error) {
	if len(payload) > MaxPayload {
		return Message{}, drop(ReasonTooLarge, "payload is larger than 4096 bytes")
	}
	parts := strings.Split(topic, "/")
	switch {
	case len(parts) == 3 && parts[0] == "owntracks":
		if err := checkTopicIDs(parts[1], parts[2]); err != nil {
			return Message{}, err
		}
		return decodeOwnTracks(parts[1], parts[2], payload, now)
	case len(parts) == 4 && parts[0] == "siaga112" && parts[1] == "units" && parts[3] == "status":
		if err := checkTopicIDs("", parts[2]); err != nil {
			return Message{}, err
		}
		return decodeStatus(parts[2], payload, now)
	}
	return Message{}, drop(ReasonBadTopic, "topic "+quote(topic)+" is not a telemetry topic")
}

func checkTopicIDs(agency, unit string) error {
	if agency != "" {
		if err := tracking.ValidateID("agency", agency); err != nil {
			return drop(ReasonBadTopic, err.Error())
		}
	}
	if err := tracking.ValidateID("unit id", unit); err != nil {
		return drop(ReasonBadTopic, err.Error())
	}
	return nil
}

func unmarshal(payload []byte) (wire, error) {
	var w wire
	err := json.Unmarshal(payload, &w)
	if err == nil {
		return w, nil
	}
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		if typeErr.Field == "" {
			return w, drop(ReasonWrongType, "payload is a JSON "+typeErr.Value+", not an object")
		}
		return w, drop(ReasonWrongType, "field "+quote(typeErr.Field)+" is a JSON "+typeErr.Value+", not a "+typeErr.Type.String())
	}
	return w, drop(ReasonNotJSON, "payload is not JSON: "+err.Error())
}

func decodeOwnTracks(agency, unit string, payload []byte, now time.Time) (Message, error) {
	w, err := unmarshal(payload)
	if err != nil {
		return Message{}, err
	}
	m := Message{UnitID: unit, Agency: agency}
	switch w.Type {
	case "location":
		m.Kind = KindLocation
	case "lwt":
		m.Kind = KindLastWill
		m.At = now
		if w.Tst != nil {
			if at, err := epoch(*w.Tst); err == nil {
				m.At = at
			}
		}
		return m, nil
	default:
		return Message{Kind: KindIgnored, UnitID: unit, Agency: agency}, nil
	}
	if w.Lat == nil || w.Lon == nil || w.Tst == nil {
		return Message{}, drop(ReasonMissingField, "a location needs lat, lon and tst")
	}
	lat, lon := *w.Lat, *w.Lon
	if !(lat >= -90 && lat <= 90) || !(lon >= -180 && lon <= 180) {
		return Message{}, drop(ReasonOutOfRange, "lat/lon outside -90..90/-180..180")
	}
	at, err := epoch(*w.Tst)
	if err != nil {
		return Message{}, err
	}
	if at.Sub(now) > MaxFuture {
		return Message{}, drop(ReasonFuture, "fix time "+at.UTC().Format(time.RFC3339)+" is more than 5 min ahead of the server clock")
	}
	m.Position = tracking.Position{
		Lon: lon, Lat: lat, At: at,
		SpeedKmh:  nonNegative(w.Vel),
		AccuracyM: nonNegative(w.Acc),
		Heading:   heading(w.Cog),
		Battery:   battery(w.Batt),
	}
	return m, nil
}

func decodeStatus(unit string, payload []byte, now time.Time) (Message, error) {
	w, err := unmarshal(payload)
	if err != nil {
		return Message{}, err
	}
	if w.Status == nil {
		return Message{}, drop(ReasonMissingField, "a status message needs \"status\"")
	}
	st, err := tracking.ParseStatus(*w.Status)
	if err != nil {
		return Message{}, drop(ReasonBadStatus, err.Error())
	}
	at := now
	if w.Tst != nil {
		if at, err = epoch(*w.Tst); err != nil {
			return Message{}, err
		}
		if at.Sub(now) > MaxFuture {
			return Message{}, drop(ReasonFuture, "status time is more than 5 min ahead of the server clock")
		}
	}
	return Message{Kind: KindStatus, UnitID: unit, Status: st, At: at}, nil
}

// epoch converts epoch seconds (fractions kept to the millisecond).
func epoch(s float64) (time.Time, error) {
	// Up to year 9999; rejects NaN too.
	if !(s > 0 && s < 253402300800) {
		return time.Time{}, drop(ReasonOutOfRange, "tst is not a time in epoch seconds")
	}
	ms := int64(math.Round(s * 1000))
	return time.UnixMilli(ms).UTC(), nil
}

func nonNegative(v *float64) float64 {
	if v == nil || !(*v > 0) {
		return 0
	}
	return *v
}

func heading(v *float64) float64 {
	if v == nil || !(*v >= 0) || math.IsInf(*v, 0) {
		return 0
	}
	return math.Mod(*v, 360)
}

func battery(v *float64) int {
	if v == nil || !(*v >= 0 && *v <= 100) {
		return -1
	}
	return int(*v)
}

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
