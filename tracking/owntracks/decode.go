package owntracks

import (
	"encoding/json"
	"errors"
	"strconv"
	"sync"
	"time"

	"github.com/valyala/fastjson"

	"siaga112/tracking"
)

// MaxPayload caps a payload: an iOS location carrying a POI image is tens
// of KiB; a plain location about 300 bytes.
const MaxPayload = 64 << 10

// wire holds the fields the server uses; read skips every other one (face,
// image, inregions, BSSID, …) without keeping it.
type wire struct {
	Type  text   // _type
	Lat   number // lat
	Lon   number // lon
	Tst   number // tst
	Acc   number // acc
	Vel   number // vel
	Cog   number // cog
	Alt   number // alt
	Batt  number // batt
	Event text   // event
	Desc  text   // desc
	Rid   text   // rid
	T     text   // t
	Data  text   // data
}

// reader is what one decode call needs of its own: a fastjson.Parser is
// not safe for concurrent use, and Decode is called from many goroutines.
type reader struct {
	p   fastjson.Parser
	raw []byte // a value's text, scratch for number.set and text.set
}

var readers = sync.Pool{New: func() any { return new(reader) }}

// Decode turns one OwnTracks payload into a Message, or a *RefusedError
// saying why it is refused. now is the server clock (fixes more than 5 minutes
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
	// w's strings point into r's memory: r goes back to the pool only
	// once the Message, which copies what it keeps, is made.
	r := readers.Get().(*reader)
	defer readers.Put(r)
	var w wire
	if err := r.read(&w, payload); err != nil {
		return Message{}, err
	}
	return w.message(now, secret, inner, decode)
}

// read fills w from payload with fastjson. It returns what encoding/json,
// which the package used until now, returned for every payload but in two
// deliberate cases; FuzzDecodeMatchesReference holds it to that.
//
// Kept as encoding/json had it:
//   - Strict JSON (RFC 8259), checked by json.Valid before fastjson sees
//     the payload. fastjson alone takes NaN, 01, bad escapes and raw
//     control characters, and words what it refuses with the whole rest of
//     the payload, once per level it unwinds: a 64 KiB payload refused
//     near its start cost it 18 MB. After json.Valid and the depth check
//     its parser meets nothing to refuse. What fails is refused in
//     encoding/json's words (unread). Invalid UTF-8 inside a string is
//     tolerated, as encoding/json tolerated it (labels get U+FFFD).
//   - A top-level array, string, number or bool is a wrong type; a
//     top-level null reads as an empty object (an ignored message).
//   - A repeated key is read, in order, into the same field: see
//     number.set.
//   - Numbers are rounded by strconv, strings unescaped by encoding/json
//     wherever fastjson could differ (see text.set).
//
// Changed on purpose:
//   - Keys match exactly: "LAT" is not lat. encoding/json matched them
//     regardless of case (it even took "t\u017ft" for tst); the format
//     names them in lowercase and the apps send them so.
//   - Nesting deeper than fastjson.MaxDepth (300) levels is refused as not
//     JSON; encoding/json went to 10000. No OwnTracks payload nests more
//     than four.
func (r *reader) read(w *wire, payload []byte) error {
	if !json.Valid(payload) || deep(payload) {
		return unread(payload)
	}
	v, err := r.p.ParseBytes(payload)
	if err != nil {
		return unread(payload) // not reached: see above
	}
	switch v.Type() {
	case fastjson.TypeObject:
	case fastjson.TypeNull:
		return nil // encoding/json leaves a struct as it was for a null
	default:
		return unread(payload)
	}
	o, _ := v.Object()
	o.Visit(func(key []byte, v *fastjson.Value) { r.set(w, key, v) })
	return nil
}

// set reads one member of the top-level object into w.
func (r *reader) set(w *wire, key []byte, v *fastjson.Value) {
	switch string(key) {
	case "_type":
		w.Type.set(v, &r.raw)
	case "lat":
		w.Lat.set(v, &r.raw)
	case "lon":
		w.Lon.set(v, &r.raw)
	case "tst":
		w.Tst.set(v, &r.raw)
	case "acc":
		w.Acc.set(v, &r.raw)
	case "vel":
		w.Vel.set(v, &r.raw)
	case "cog":
		w.Cog.set(v, &r.raw)
	case "alt":
		w.Alt.set(v, &r.raw)
	case "batt":
		w.Batt.set(v, &r.raw)
	case "event":
		w.Event.set(v, &r.raw)
	case "desc":
		w.Desc.set(v, &r.raw)
	case "rid":
		w.Rid.set(v, &r.raw)
	case "t":
		w.T.set(v, &r.raw)
	case "data":
		w.Data.set(v, &r.raw)
	}
}

// unread words the refusal of a payload that json.Valid refuses, that
// nests too deep, or whose top level is not an object, with encoding/json,
// so that the reason and the detail stay what they were. It runs only for
// refused payloads, which encoding/json scans in linear time.
func unread(payload []byte) error {
	var v struct{}
	err := json.Unmarshal(payload, &v)
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.As(err, &typeErr):
		return refuse(ReasonWrongType, "payload is a JSON "+typeErr.Value+", not an object")
	case err != nil:
		return refuse(ReasonNotJSON, "payload is not JSON: "+err.Error())
	}
	// JSON to encoding/json, but too deep for fastjson.
	return refuse(ReasonNotJSON, "payload nests deeper than "+strconv.Itoa(fastjson.MaxDepth)+" levels")
}

// message makes the Message w says. open decodes the plaintext of an
// encrypted envelope (decode; the differential test passes its reference).
func (w *wire) message(now time.Time, secret []byte, inner bool,
	open func(plain []byte, now time.Time, secret []byte, inner bool) (Message, error)) (Message, error) {
	if w.Type.bad {
		return Message{}, refuse(ReasonWrongType, `"_type" is not a string`)
	}
	var m Message
	switch string(w.Type.s) {
	case "location":
		f, err := location(w, now)
		m.Kind, m.Type, m.Location = KindLocation, "location", f
		return m, err
	case "transition":
		e, err := transition(w, now)
		m.Kind, m.Type, m.Transition = KindTransition, "transition", e
		return m, err
	case "lwt":
		m.Kind, m.Type = KindLastWill, "lwt"
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
		plain, err := Decrypt(string(w.Data.s), secret)
		if err != nil {
			return Message{}, err
		}
		m, err = open(plain, now, nil, true)
		m.Encrypted = true
		return m, err
	}
	m.Kind, m.Type = KindIgnored, typeLabel(w.Type.s)
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
	var kind tracking.RegionEventKind // a constant: w.Event.s is the parser's memory
	switch string(w.Event.s) {
	case string(tracking.RegionEnter):
		kind = tracking.RegionEnter
	case string(tracking.RegionLeave):
		kind = tracking.RegionLeave
	}
	if w.Event.bad || kind == "" {
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
		return tracking.RegionEvent{}, refuse(ReasonFuture, "transition time is more than 5 minutes ahead of the server clock")
	}
	e := tracking.RegionEvent{
		Kind:     kind,
		Region:   tracking.CleanLabel(string(w.Desc.s), tracking.MaxRegionNameLen),
		RegionID: tracking.CleanLabel(string(w.Rid.s), tracking.MaxRegionNameLen),
		Trigger:  tracking.CleanLabel(string(w.T.s), 8),
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

// epoch reads a present numeric tst as tracking.EpochSeconds does.
func epoch(n number) (time.Time, bool) {
	if !n.ok() {
		return time.Time{}, false
	}
	return tracking.EpochSeconds(n.v)
}
