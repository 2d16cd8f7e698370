package owntracks

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/valyala/fastjson"
)

// The reference decoder is the package as it was before fastjson: the
// payload unmarshalled by encoding/json into a struct of fields that
// record absent, null and mistyped values. Decode must return what it
// returns, but for the deliberate differences that read (decode.go) lists.

type refNumber struct {
	v            float64
	present, bad bool
}

func (n *refNumber) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	n.present = true
	if len(b) == 0 || !(b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) {
		n.bad = true
		return nil
	}
	v, err := strconv.ParseFloat(string(b), 64)
	if err != nil || math.IsInf(v, 0) || math.IsNaN(v) {
		n.bad = true
		return nil
	}
	n.v = v
	return nil
}

type refText struct {
	s            string
	present, bad bool
}

func (t *refText) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		return nil
	}
	t.present = true
	if len(b) == 0 || b[0] != '"' || json.Unmarshal(b, &t.s) != nil {
		t.bad = true
	}
	return nil
}

type refWire struct {
	Type  refText   `json:"_type"`
	Lat   refNumber `json:"lat"`
	Lon   refNumber `json:"lon"`
	Tst   refNumber `json:"tst"`
	Acc   refNumber `json:"acc"`
	Vel   refNumber `json:"vel"`
	Cog   refNumber `json:"cog"`
	Alt   refNumber `json:"alt"`
	Batt  refNumber `json:"batt"`
	Event refText   `json:"event"`
	Desc  refText   `json:"desc"`
	Rid   refText   `json:"rid"`
	T     refText   `json:"t"`
	Data  refText   `json:"data"`
}

// refRead is the old json.Unmarshal and its refusals.
func refRead(payload []byte) (wire, error) {
	var r refWire
	if err := json.Unmarshal(payload, &r); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return wire{}, refuse(ReasonWrongType, "payload is a JSON "+typeErr.Value+", not an object")
		}
		return wire{}, refuse(ReasonNotJSON, "payload is not JSON: "+err.Error())
	}
	n := func(n refNumber) number { return number{v: n.v, present: n.present, bad: n.bad} }
	t := func(t refText) text { return text{s: []byte(t.s), present: t.present, bad: t.bad} }
	return wire{Type: t(r.Type), Lat: n(r.Lat), Lon: n(r.Lon), Tst: n(r.Tst), Acc: n(r.Acc), Vel: n(r.Vel),
		Cog: n(r.Cog), Alt: n(r.Alt), Batt: n(r.Batt), Event: t(r.Event), Desc: t(r.Desc), Rid: t(r.Rid),
		T: t(r.T), Data: t(r.Data)}, nil
}

// refDecode is decode with refRead in place of the fastjson reader; an
// encrypted envelope's plaintext is read by refRead too.
func refDecode(payload []byte, now time.Time, secret []byte, inner bool) (Message, error) {
	if len(payload) > MaxPayload {
		return Message{}, refuse(ReasonTooLarge, "payload is larger than "+strconv.Itoa(MaxPayload)+" bytes")
	}
	w, err := refRead(payload)
	if err != nil {
		return Message{}, err
	}
	return w.message(now, secret, inner, refDecode)
}

// newRead is read as decode runs it, with the strings copied out of the
// parser's memory before it goes back to the pool.
func newRead(payload []byte) (wire, error) {
	r := readers.Get().(*reader)
	defer readers.Put(r)
	var w wire
	err := r.read(&w, payload)
	for _, t := range []*text{&w.Type, &w.Event, &w.Desc, &w.Rid, &w.T, &w.Data} {
		t.s = bytes.Clone(t.s)
	}
	return w, err
}

// wireView is a wire's content, comparable with ==. text.again is how the
// new reader got there, not what it read, so it is left out; a number is
// compared by its bits, so that -0 is not 0.
type wireView struct {
	Type, Event, Desc, Rid, T, Data         textView
	Lat, Lon, Tst, Acc, Vel, Cog, Alt, Batt numberView
}

type textView struct {
	S            string
	Present, Bad bool
}

type numberView struct {
	V            float64
	Bits         uint64
	Present, Bad bool
}

func (w *wire) view() wireView {
	t := func(t text) textView { return textView{S: string(t.s), Present: t.present, Bad: t.bad} }
	n := func(n number) numberView {
		return numberView{V: n.v, Bits: math.Float64bits(n.v), Present: n.present, Bad: n.bad}
	}
	return wireView{Type: t(w.Type), Event: t(w.Event), Desc: t(w.Desc), Rid: t(w.Rid), T: t(w.T), Data: t(w.Data),
		Lat: n(w.Lat), Lon: n(w.Lon), Tst: n(w.Tst), Acc: n(w.Acc), Vel: n(w.Vel), Cog: n(w.Cog), Alt: n(w.Alt), Batt: n(w.Batt)}
}

// wireKeys are the keys read fills; a key that matches one of them but for
// case is read by encoding/json and not by read.
var wireKeys = []string{"_type", "lat", "lon", "tst", "acc", "vel", "cog", "alt", "batt", "event", "desc", "rid", "t", "data"}

// caseVariant tells a payload whose top-level object has a key that
// encoding/json takes for one of wireKeys and read does not ("LAT",
// "t\u017ft"). encoding/json folds case as bytes.EqualFold does.
func caseVariant(payload []byte) bool {
	variant := false
	topKeys(payload, func(k string, _ json.RawMessage) {
		for _, w := range wireKeys {
			if k != w && strings.EqualFold(k, w) {
				variant = true
			}
		}
	})
	return variant
}

// topKeys calls f for each member of payload's top-level object, as
// encoding/json reads it; not at all if payload is no valid object.
func topKeys(payload []byte, f func(key string, v json.RawMessage)) {
	if !json.Valid(payload) {
		return
	}
	d := json.NewDecoder(bytes.NewReader(payload))
	if tok, err := d.Token(); err != nil || tok != json.Delim('{') {
		return
	}
	for d.More() {
		k, err := d.Token()
		if err != nil {
			return
		}
		var v json.RawMessage
		if err := d.Decode(&v); err != nil {
			return
		}
		f(k.(string), v)
	}
}

// refDepth is how deep valid JSON nests, found by encoding/json's
// tokens, counted as fastjson.MaxDepth counts: the top-level value is at
// depth 1, its members at 2, …
func refDepth(payload []byte) int {
	d := json.NewDecoder(bytes.NewReader(payload))
	d.UseNumber() // 1e400 is a token, not an error
	deepest, open := 0, 0
	for {
		tok, err := d.Token()
		if err != nil {
			return deepest
		}
		switch tok {
		case json.Delim('}'), json.Delim(']'):
			open--
			continue
		}
		deepest = max(deepest, open+1)
		if tok == json.Delim('{') || tok == json.Delim('[') {
			open++
		}
	}
}

// deepDetail is read's refusal of JSON nested deeper than fastjson reads.
var deepDetail = "payload nests deeper than " + strconv.Itoa(fastjson.MaxDepth) + " levels"

var refSecret = []byte("k")

// matchReference fails t unless Decode and the reference decoder return
// the same for payload, and for payload sealed in an envelope (the fuzzer
// cannot make an envelope that opens), and read and refRead fill the same
// wire. The deliberate differences are checked to be what they say, then
// skipped.
func matchReference(t *testing.T, payload []byte) {
	t.Helper()
	matchOne(t, payload)
	env, err := Encrypt(payload, refSecret, zeros{})
	if err != nil {
		t.Fatal(err)
	}
	matchOne(t, env)
}

// zeros is a nonce source for envelopes that need not be secret.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func matchOne(t *testing.T, payload []byte) {
	t.Helper()
	layers := [][]byte{payload}
	if w, err := refRead(payload); err == nil && string(w.Type.s) == "encrypted" && w.Data.present && !w.Data.bad {
		if plain, err := Decrypt(string(w.Data.s), refSecret); err == nil {
			layers = append(layers, plain)
		}
	}
	for _, l := range layers {
		if json.Valid(l) && depth(l) != refDepth(l) {
			t.Fatalf("depth %d, encoding/json's tokens nest %d: %q", depth(l), refDepth(l), l)
		}
		if caseVariant(l) {
			return // keys match exactly; encoding/json folded case
		}
	}
	got, gotErr := Decode(payload, now, refSecret)
	want, wantErr := refDecode(payload, now, refSecret, false)
	var r *RefusedError
	if errors.As(gotErr, &r) && r.Detail == deepDetail {
		for _, l := range layers {
			if json.Valid(l) && refDepth(l) > fastjson.MaxDepth {
				return // deliberately refused
			}
		}
		t.Fatalf("refused as nested too deep, but encoding/json finds it is not: %q", payload)
	}
	if !sameRefusal(gotErr, wantErr) || got != want {
		t.Fatalf("payload %q\nDecode    %+v, %v\nreference %+v, %v", payload, got, gotErr, want, wantErr)
	}
	for _, l := range layers {
		gw, gotErr := newRead(l)
		rw, wantErr := refRead(l)
		if !sameRefusal(gotErr, wantErr) || gw.view() != rw.view() {
			t.Fatalf("payload %q\nread    %+v, %v\nrefRead %+v, %v", l, gw.view(), gotErr, rw.view(), wantErr)
		}
	}
}

func sameRefusal(a, b error) bool {
	if a == nil || b == nil {
		return a == b
	}
	var ra, rb *RefusedError
	return errors.As(a, &ra) && errors.As(b, &rb) && *ra == *rb
}

// referencePayloads: what the apps send, and what they do not.
var referencePayloads = func() []string {
	env, _ := Encrypt([]byte(androidLocation), refSecret, rand.Reader)
	envTransition, _ := Encrypt([]byte(iosTransition), refSecret, rand.Reader)
	envVariant, _ := Encrypt([]byte(`{"_type":"location","LAT":-6.1,"lat":-6.2,"lon":106.1,"tst":1764201600}`), refSecret, rand.Reader)
	loc := func(fields string) string {
		return `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600` + fields + `}`
	}
	tr := func(fields string) string {
		return `{"_type":"transition","event":"enter","tst":1764201500` + fields + `}`
	}
	nest := func(n int, inner string) string { return strings.Repeat(`{"x":`, n) + inner + strings.Repeat(`}`, n) }
	arrays := func(n int) string { return strings.Repeat("[", n) + strings.Repeat("]", n) }
	p := []string{
		androidLocation, iosTransition, iosLocationWithPOI, string(env), string(envTransition), string(envVariant),
		strings.ReplaceAll(string(env), "/", `\/`), strings.ReplaceAll(iosTransition, "RSUD Serang", `RSUD\/IGD Serang`),
		`{"_type":"lwt","tst":1764201000}`, `{"_type":"lwt"}`, `{"_type":"lwt","tst":"x"}`,
		`{"_type":"waypoints","waypoints":[{"_type":"waypoint","desc":"Pos","lat":-6.1,"lon":106.1,"rad":50,"tst":1764100000}]}`,
		`{"_type":"status","android":{"wifi":1,"hib":0,"bo":0,"loc":0}}`, `{"_type":"hologram"}`, `{}`,

		// Whitespace, BOM, trailing garbage, the top level.
		" \t\r\n" + androidLocation + " \t\r\n", "\v" + androidLocation, androidLocation + "\f", "\xEF\xBB\xBF" + androidLocation,
		androidLocation + "x", androidLocation + "{}", androidLocation + ",", androidLocation + "\x00", androidLocation[:len(androidLocation)-1],
		``, ` `, `null`, ` null `, `true`, `false`, `0`, `-0`, `1e400`, `"location"`, `[]`, `[1,2]`, `[{"_type":"location"}]`,
		`nul`, `nulll`, `NaN`, `nan`, `Inf`, `-Inf`, `Infinity`, `+1`, `.5`, `01`, `{"_type":"location"`, `{"_type" "location"}`,
		`{"_type":"location",}`, `{,"_type":"location"}`, `{"_type":"location"}}`, `{'_type':'location'}`, `{_type:"location"}`,

		// Numbers.
		loc(`,"acc":-0`), loc(`,"acc":0e0`), loc(`,"acc":1E2`), loc(`,"acc":1e+2`), loc(`,"acc":25e-1`), loc(`,"acc":1e400`),
		loc(`,"acc":-1e400`), loc(`,"acc":1e-400`), loc(`,"acc":4.9e-324`), loc(`,"acc":1.7976931348623157e308`),
		loc(`,"acc":1.7976931348623159e308`), loc(`,"acc":123456789012345678901234567890`), loc(`,"acc":0.1000000000000000055511151231257827`),
		loc(`,"acc":466.936693774911e-2`), loc(`,"acc":888.661429879825e3`), loc(`,"acc":0.1234567890123`), loc(`,"acc":0.12345678901234`),
		loc(`,"acc":-0.12345678901234`), loc(`,"acc":999999999999999`), loc(`,"acc":9007199254740993`), loc(`,"acc":-9007199254740993.5`),
		loc(`,"acc":106.16330000001`), loc(`,"acc":106.163300000001`), loc(`,"acc":0.000000000000001`), loc(`,"acc":-0.0`),
		loc(`,"acc":01`), loc(`,"acc":+1`), loc(`,"acc":.5`), loc(`,"acc":1.`), loc(`,"acc":1.e2`), loc(`,"acc":-`), loc(`,"acc":--1`),
		loc(`,"acc":1.2.3`), loc(`,"acc":1e`), loc(`,"acc":1-2`), loc(`,"acc":NaN`), loc(`,"acc":nan`), loc(`,"acc":Inf`),
		loc(`,"acc":-Inf`), loc(`,"acc":+inf`), loc(`,"acc":Infinity`), loc(`,"acc":0x10`), loc(`,"acc":1_000`),
		loc(`,"acc":"5"`), loc(`,"acc":true`), loc(`,"acc":null`), loc(`,"acc":[]`), loc(`,"acc":{}`), loc(`,"acc":[5]`),
		`{"_type":"location","lat":-0,"lon":106.1,"tst":1764201600}`, `{"_type":"location","lat":-6.1,"lon":-0.0,"tst":1764201600}`,
		`{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600.0005}`, `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1.7642016e9}`,
		`{"_type":"location","lat":-6.1,"lon":106.1,"tst":17642016e2}`, `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600.12345678901234567890}`,
		`{"_type":"location","lat":-6.11020000000000000000000001,"lon":106.1633000000000000000000001,"tst":1764201600}`,
		`{"_type":"location","lat":-6.1e0,"lon":1061633e-4,"tst":1764201600}`, `{"_type":"location","lat":-61e-1,"lon":0.1061633E3,"tst":1764201600}`,

		// Strings: escapes, surrogates, invalid UTF-8, control characters.
		`{"_type":"\u006cocation","lat":-6.1,"lon":106.1,"tst":1764201600}`, `{"_type":"loc\u0061tion","lat":-6.1,"lon":106.1,"tst":1764201600}`,
		`{"_type":"location\u0000"}`, `{"_type":"LOCATION"}`, `{"_type":"\ud800"}`, `{"_type":"lo\xffcation"}`, `{"_type":"\/location"}`,
		`{"_type":5}`, `{"_type":null}`, `{"_type":["location"]}`, `{"_type":"location\"}`, `{"_type":"location\q"}`, `{"_type":"location` + "\x01" + `"}`,
		tr(``), tr(`,"desc":"\u0000\u0007 Pos"`), tr(`,"desc":"\ud800"`), tr(`,"desc":"\ud800\u0041"`), tr(`,"desc":"\udc00\ud800"`),
		tr(`,"desc":"\ud83d\ude00 RS"`), tr(`,"desc":"\ud83d"`), tr(`,"desc":"\ud83dx"`), tr(`,"desc":"\ud83d\n"`), tr(`,"desc":"\ud83d\ud83d\ude00"`),
		tr(`,"desc":"\xff\xfe RS"`), tr(`,"desc":"caf\xc3\xa9"`), tr(`,"desc":"caf\xc3"`), tr(`,"desc":"\xed\xa0\x80"`), tr(`,"desc":"\xf4\x90\x80\x80"`),
		tr(`,"desc":"a\\b"`), tr(`,"desc":"a\\\"b"`), tr(`,"desc":"\uFFFD"`), tr(`,"desc":"` + "\uFFFD" + `"`), tr(`,"desc":"\u00e9` + "\xc3" + `"`),
		tr(`,"desc":"` + "\x7f" + `"`), tr(`,"desc":"` + "\x1f" + `"`), tr(`,"desc":"\q"`), tr(`,"desc":"\u12"`), tr(`,"desc":"\u12G4"`),
		tr(`,"desc":"\U0041"`), tr(`,"desc":"` + strings.Repeat("RSUD Serang ", 40) + `"`), tr(`,"desc":"` + strings.Repeat("\xff", 300) + `"`),
		tr(`,"desc":5,"rid":[],"t":{}`), tr(`,"rid":"\u0072id","t":"\ud800"`), tr(`,"t":"` + "\u0085" + `c"`),
		tr(`,"lat":-6.1,"lon":106.1,"acc":10`), tr(`,"lat":-6.1,"lon":"106.1"`), tr(`,"lat":0,"lon":0`), tr(`,"lat":-96,"lon":106.1`),
		`{"_type":"transition","event":"\u0065nter","tst":1764201500}`, `{"_type":"transition","event":"ENTER","tst":1764201500}`,
		`{"_type":"transition","event":5,"tst":1764201500}`, `{"_type":"transition","event":null,"tst":1764201500}`,
		`{"_type":"encrypted","data":5}`, `{"_type":"encrypted","data":null}`, `{"_type":"encrypted","data":"AAAA"}`,
		`{"_type":"encrypted","data":"\ud800AAA"}`, `{"_type":"encrypted","data":"\u0041AAA"}`, `{"_type":"encrypted","data":"AA\nAA"}`,

		// Duplicate keys: read in order into the same field.
		loc(`,"lat":5`), loc(`,"lat":null`), loc(`,"lat":"x"`), `{"_type":"location","lat":"x","lat":-6.1,"lon":106.1,"tst":1764201600}`,
		loc(`,"lat":1e400,"lat":-6.2`), loc(`,"acc":"x","acc":5`), loc(`,"acc":5,"acc":null`), loc(`,"_type":"transition"`),
		loc(`,"_type":null`), loc(`,"_type":5`), `{"_type":5,"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600}`,
		tr(`,"desc":"a","desc":5`), tr(`,"desc":5,"desc":"a"`), tr(`,"desc":"a","desc":null`), tr(`,"desc":"\ud800","desc":"b"`),
		tr(`,"desc":"b","desc":"\ud800"`), tr(`,"event":"leave"`), tr(`,"event":"hover","event":"enter"`),
		tr(`,"desc":"\ud800","rid":"\udc00","t":"\ud800\u0041","desc":"a\\b","DESC":"c","_type":"transition\ud800","_type":"transition"`),
		tr(`,"desc":"\ud800","rid":"\u00e9","t":5,"t":"\udfff","data":"\ud800","event":"\ud800","desc":{"desc":"\ud800"}`),
		loc(`,"l\u0061t":-6.2`), `{"\u005ftype":"location","lat":-6.1,"lon":106.1,"tst":1764201600}`,

		// Key case: encoding/json folded it (caseVariant skips these).
		loc(`,"LAT":-6.2`), `{"_type":"location","LAT":-6.1,"lon":106.1,"tst":1764201600}`, `{"_TYPE":"location","lat":-6.1,"lon":106.1,"tst":1764201600}`,
		tr(`,"T":"c"`), `{"_type":"location","lat":-6.1,"lon":106.1,"t\u017ft":1764201600}`, `{"_type":"location","lat":-6.1,"lon":106.1,"` + "t\u017ft" + `":1764201600}`,

		// Keys and values the reader skips.
		loc(`,"":1`), loc(`,"\u0000":1`), loc(`,"x":{"lat":1,"_type":"lwt"}`), loc(`,"x":[1,]`), loc(`,"x":"\q"`), loc(`,"x":01`),
		loc(`,"x":NaN`), loc(`,"x":"` + "\x01" + `"`), loc(`,"x":tru`), loc(`,"x":[1 2]`), loc(`,"x":{"a"}`), loc(`,"` + "\x01" + `":1`),
		loc(`,"x":"\ud800","y":"` + "\xff" + `"`), loc(`,"image":"` + strings.Repeat("A", 40000) + `"`),

		// Nesting: fastjson reads 300 levels, encoding/json 10000.
		loc(`,"x":` + nest(298, "1")), loc(`,"x":` + nest(299, "1")), loc(`,"x":` + nest(300, "1")), loc(`,"x":` + arrays(299)),
		loc(`,"x":` + arrays(300)), arrays(300), arrays(301), arrays(10001), nest(10001, "1"), `[` + nest(300, "1") + `]`,
		loc(`,"x":` + strings.Repeat("[", 400)), loc(`,"x":` + strings.Repeat("[", 400) + "x"), loc(`,"x":` + nest(299, "NaN")),
		strings.TrimSuffix(string(env), "}") + `,"x":` + arrays(301) + `}`,
	}
	return p
}()

func TestDecodeMatchesReference(t *testing.T) {
	for _, p := range referencePayloads {
		matchReference(t, []byte(p))
	}
}

// FuzzDecodeMatchesReference: for any payload, Decode returns what the
// encoding/json decoder returned, but where read says it differs.
func FuzzDecodeMatchesReference(f *testing.F) {
	for _, p := range referencePayloads {
		if len(p) < 4096 { // the fuzzer mutates small seeds best
			f.Add([]byte(p))
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		matchReference(t, payload)
	})
}
