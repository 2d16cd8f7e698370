package owntracks

import (
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"time"

	"siaga112/tracking"
)

// MaxPayload caps a payload: an iOS location carrying a POI image is tens
// of KiB; a plain location about 300 bytes.
const MaxPayload = 64 << 10

// wire holds the fields the server uses; json drops every other one
// (face, image, inregions, BSSID, …) without keeping it.
type wire struct {
	Type  text   `json:"_type"`
	Lat   number `json:"lat"`
	Lon   number `json:"lon"`
	Tst   number `json:"tst"`
	Acc   number `json:"acc"`
	Vel   number `json:"vel"`
	Cog   number `json:"cog"`
	Alt   number `json:"alt"`
	Batt  number `json:"batt"`
	Event text   `json:"event"`
	Desc  text   `json:"desc"`
	Rid   text   `json:"rid"`
	T     text   `json:"t"`
	Data  text   `json:"data"`
}

// Decode turns one OwnTracks payload into a Message, or a *RefusedError
// saying why it is refused. now is the server clock (fixes more than a day
// ahead of it are refused). secret is the unit's payload-encryption
// passphrase, used only for an encrypted envelope; nil when none is set.
// Decode never panics, whatever the input.
func Decode(payload []byte, now time.Time, secret []byte) (Message, error) {
	return decode(payload, now, secret, false)
}

func decode(payload []byte, now time.Time, secret []byte, inner bool) (Message, error) {
	if len(payload) > MaxPayload {
		return Message{}, refuse(ReasonTooLarge, "payload is larger than "+strconv.Itoa(MaxPayload)+" bytes")
	}
	var w wire
	if err := json.Unmarshal(payload, &w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return Message{}, refuse(ReasonWrongType, "payload is a JSON "+typeErr.Value+", not an object")
		}
		return Message{}, refuse(ReasonNotJSON, "payload is not JSON: "+err.Error())
	}
	if w.Type.bad {
		return Message{}, refuse(ReasonWrongType, `"_type" is not a string`)
	}
	m := Message{Type: typeLabel(w.Type.s)}
	switch w.Type.s {
	case "location":
		f, err := location(&w, now)
		m.Kind, m.Location = KindLocation, f
		return m, err
	case "transition":
		e, err := transition(&w, now)
		m.Kind, m.Transition = KindTransition, e
		return m, err
	case "lwt":
		m.Kind = KindLastWill
		if at, ok := epoch(w.Tst); ok {
			m.LastWill.ConnectedAt = at
		}
		return m, nil
	case "encrypted":
		if inner {
			return Message{}, refuse(ReasonWrongType, "an encrypted payload inside an encrypted payload")
		}
		if !w.Data.present || w.Data.bad {
			return Message{}, refuse(ReasonMissingField, `an encrypted payload needs "data" as a string`)
		}
		if len(secret) == 0 {
			return Message{}, refuse(ReasonNoSecret, "the payload is encrypted but the unit has no OwnTracks secret set")
		}
		plain, err := Decrypt(w.Data.s, secret)
		if err != nil {
			return Message{}, err
		}
		m, err = decode(plain, now, nil, true)
		m.Encrypted = true
		return m, err
	}
	m.Kind = KindIgnored
	return m, nil
}

func location(w *wire, now time.Time) (tracking.Fix, error) {
	if err := required(w.Lat, "lat"); err != nil {
		return tracking.Fix{}, err
	}
	if err := required(w.Lon, "lon"); err != nil {
		return tracking.Fix{}, err
	}
	if err := required(w.Tst, "tst"); err != nil {
		return tracking.Fix{}, err
	}
	at, ok := epoch(w.Tst)
	if !ok {
		return tracking.Fix{}, refuse(ReasonOutOfRange, "tst is not a time in epoch seconds")
	}
	f := tracking.Fix{
		Lat: w.Lat.v, Lon: w.Lon.v, At: at,
		// OwnTracks vel is km/h, cog degrees, acc and alt metres, batt percent.
		SpeedKmh:  optional(w.Vel),
		Heading:   optional(w.Cog),
		AccuracyM: optional(w.Acc),
		AltitudeM: optional(w.Alt),
		Battery:   optional(w.Batt),
	}.Normalize()
	if p, detail := f.Check(now); p != tracking.FixOK {
		return tracking.Fix{}, fixRefusal(p, detail)
	}
	return f, nil
}

func transition(w *wire, now time.Time) (tracking.RegionEvent, error) {
	if !w.Event.present {
		return tracking.RegionEvent{}, refuse(ReasonMissingField, `a transition needs "event"`)
	}
	kind := tracking.RegionEventKind(w.Event.s)
	if w.Event.bad || (kind != tracking.RegionEnter && kind != tracking.RegionLeave) {
		return tracking.RegionEvent{}, refuse(ReasonBadEvent, `a transition's "event" is "enter" or "leave"`)
	}
	if err := required(w.Tst, "tst"); err != nil {
		return tracking.RegionEvent{}, err
	}
	at, ok := epoch(w.Tst)
	if !ok {
		return tracking.RegionEvent{}, refuse(ReasonOutOfRange, "tst is not a time in epoch seconds")
	}
	if at.Sub(now) > tracking.MaxFixAhead {
		return tracking.RegionEvent{}, refuse(ReasonFuture, "transition time is more than a day ahead of the server clock")
	}
	e := tracking.RegionEvent{
		Kind:     kind,
		Region:   tracking.CleanLabel(w.Desc.s, tracking.MaxRegionNameLen),
		RegionID: tracking.CleanLabel(w.Rid.s, tracking.MaxRegionNameLen),
		Trigger:  tracking.CleanLabel(w.T.s, 8),
		At:       at,
	}
	// The event matters more than where the phone was: a transition with a
	// missing, odd or null-island position is kept without one.
	if w.Lat.ok() && w.Lon.ok() {
		f := tracking.Fix{Lat: w.Lat.v, Lon: w.Lon.v, At: at, AccuracyM: optional(w.Acc)}.Normalize()
		if p, _ := f.Check(now); p == tracking.FixOK {
			e.Lat, e.Lon, e.HasPosition, e.AccuracyM = f.Lat, f.Lon, true, f.AccuracyM
		}
	}
	return e, nil
}

func required(n number, name string) error {
	if !n.present {
		return refuse(ReasonMissingField, `a location needs "`+name+`"`)
	}
	if n.bad {
		return refuse(ReasonWrongType, `"`+name+`" is not a number`)
	}
	return nil
}

func optional(n number) tracking.Optional {
	if !n.ok() {
		return tracking.Optional{}
	}
	return tracking.Some(n.v)
}

// epoch converts epoch seconds, fractions kept to the millisecond, up to
// the year 9999.
func epoch(n number) (time.Time, bool) {
	if !n.ok() || !(n.v > 0 && n.v < 253402300800) {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(math.Round(n.v * 1000))).UTC(), true
}
