package owntracks

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

var now = time.Date(2025, 11, 27, 0, 0, 0, 0, time.UTC) // 1764201600

// poiImage is a base64 JPEG-sized blob as iOS attaches to a location sent
// with a point of interest (~40 KiB).
var poiImage = base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{0xFF, 0xD8, 0xFF, 0xE0, 0x10, 0x4A}, 5000))

// Payloads shaped like the apps' own (field sets from the OwnTracks JSON
// format documentation; values invented).
var (
	iosLocationWithPOI = `{"_type":"location","acc":5,"alt":41,"batt":83,"bs":1,"conn":"w","cog":270,"created_at":1764201590,` +
		`"inregions":["RSUD Serang"],"inrids":["5f1d2a"],"lat":-6.1201,"lon":106.1502,"m":1,"poi":"Pasar <b>Lama</b>",` +
		`"image":"` + poiImage + `","imagename":"poi.jpg","SSID":"kantor","BSSID":"a0:b1:c2:d3:e4:f5",` +
		`"tid":"A1","topic":"owntracks/dinkes/AMB-01","tst":1764201590,"vac":3,"vel":38}`
	androidLocation = `{"_type":"location","_id":"1f2e3d4c","acc":12,"alt":35,"batt":64,"bs":1,"conn":"m","created_at":1764201595,` +
		`"lat":-6.1102,"lon":106.1633,"m":3,"t":"u","tid":"01","tst":1764201595,"vac":2,"vel":0}`
	iosTransition = `{"_type":"transition","acc":10,"desc":"RSUD Serang","event":"enter","lat":-6.1199,"lon":106.1500,` +
		`"rid":"5f1d2a","t":"c","tid":"A1","tst":1764201500,"wtst":1764100000}`
)

func TestDecode(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		kind    Kind
		typ     string
		reason  Reason
		check   func(t *testing.T, m Message)
	}{
		{
			name: "iOS location with a POI image", payload: iosLocationWithPOI, kind: KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				f := m.Location
				want := tracking.Fix{Lat: -6.1201, Lon: 106.1502, At: time.Unix(1764201590, 0).UTC(),
					SpeedKmh: tracking.Some(38), Heading: tracking.Some(270), AccuracyM: tracking.Some(5),
					AltitudeM: tracking.Some(41), Battery: tracking.Some(83)}
				if f != want {
					t.Fatalf("decoded %+v\nwant     %+v", f, want)
				}
			},
		},
		{
			name: "Android location without cog", payload: androidLocation, kind: KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				f := m.Location
				if f.Heading.Valid {
					t.Fatalf("absent cog decoded as %v", f.Heading)
				}
				if !f.SpeedKmh.Valid || f.SpeedKmh.Value != 0 {
					t.Fatalf("vel 0 must stay a present 0, got %+v", f.SpeedKmh)
				}
				if f.Battery != tracking.Some(64) || f.AccuracyM != tracking.Some(12) {
					t.Fatalf("decoded %+v", f)
				}
			},
		},
		{
			name: "minimal location: optional readings absent, never 0", payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600}`,
			kind: KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				f := m.Location
				if f.SpeedKmh.Valid || f.Heading.Valid || f.AccuracyM.Valid || f.AltitudeM.Valid || f.Battery.Valid {
					t.Fatalf("absent fields became present: %+v", f)
				}
			},
		},
		{
			name:    "unknown readings (-1) and mistyped optionals are dropped, the fix kept",
			payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"vel":-1,"cog":-1,"acc":"5","batt":250}`,
			kind:    KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				f := m.Location
				if f.SpeedKmh.Valid || f.Heading.Valid || f.AccuracyM.Valid || f.Battery.Valid {
					t.Fatalf("impossible readings kept: %+v", f)
				}
			},
		},
		{
			name: "fractional seconds kept to the millisecond", payload: `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600.125}`,
			kind: KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				if want := now.Add(125 * time.Millisecond); !m.Location.At.Equal(want) {
					t.Fatalf("At = %v, want %v", m.Location.At, want)
				}
			},
		},
		{name: "4 minutes ahead is a fast phone clock, kept", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201840}`, kind: KindLocation, typ: "location"},
		{
			name: "iOS transition", payload: iosTransition, kind: KindTransition, typ: "transition",
			check: func(t *testing.T, m Message) {
				e := m.Transition
				if e.Kind != tracking.RegionEnter || e.Region != "RSUD Serang" || e.RegionID != "5f1d2a" || e.Trigger != "c" ||
					!e.HasPosition || e.Lat != -6.1199 || e.Lon != 106.15 || !e.At.Equal(time.Unix(1764201500, 0)) ||
					e.AccuracyM != tracking.Some(10) || e.UnitID != "" {
					t.Fatalf("decoded %+v", e)
				}
			},
		},
		{
			name: "leave without a position, hostile region name", kind: KindTransition, typ: "transition",
			payload: `{"_type":"transition","event":"leave","desc":"<script>x</script>\u0000\u0007 Pos","tst":1764201500}`,
			check: func(t *testing.T, m Message) {
				e := m.Transition
				if e.Kind != tracking.RegionLeave || e.HasPosition || e.Region != "<script>x</script> Pos" {
					t.Fatalf("decoded %+v", e)
				}
			},
		},
		{
			name: "transition at null island keeps the event, drops the position", kind: KindTransition, typ: "transition",
			payload: `{"_type":"transition","event":"enter","desc":"Pos","lat":0,"lon":0,"tst":1764201500}`,
			check: func(t *testing.T, m Message) {
				if m.Transition.HasPosition {
					t.Fatalf("decoded %+v", m.Transition)
				}
			},
		},
		{
			name: "last will", payload: `{"_type":"lwt","tst":1764201000}`, kind: KindLastWill, typ: "lwt",
			check: func(t *testing.T, m Message) {
				if !m.LastWill.ConnectedAt.Equal(time.Unix(1764201000, 0)) {
					t.Fatalf("decoded %+v", m.LastWill)
				}
			},
		},
		{name: "waypoints ignored", payload: `{"_type":"waypoints","waypoints":[{"_type":"waypoint","desc":"Pos","lat":-6.1,"lon":106.1,"rad":50,"tst":1764100000}]}`, kind: KindIgnored, typ: "waypoints"},
		{name: "waypoint ignored", payload: `{"_type":"waypoint","desc":"Pos","lat":-6.1,"lon":106.1,"rad":50,"tst":1764100000}`, kind: KindIgnored, typ: "waypoint"},
		{name: "status ignored", payload: `{"_type":"status","android":{"wifi":1,"hib":0,"bo":0,"loc":0}}`, kind: KindIgnored, typ: "status"},
		{name: "card with a face ignored", payload: `{"_type":"card","name":"AMB 01","face":"` + poiImage + `"}`, kind: KindIgnored, typ: "card"},
		{name: "cmd ignored", payload: `{"_type":"cmd","action":"reportLocation"}`, kind: KindIgnored, typ: "cmd"},
		{name: "steps ignored", payload: `{"_type":"steps","steps":10,"from":1764100000,"to":1764200000}`, kind: KindIgnored, typ: "steps"},
		{name: "beacon ignored", payload: `{"_type":"beacon","uuid":"x","major":1,"minor":2,"tst":1764200000,"acc":1,"rssi":-50,"prox":1}`, kind: KindIgnored, typ: "beacon"},
		{name: "unknown type ignored", payload: `{"_type":"hologram"}`, kind: KindIgnored, typ: "other"},
		{name: "no type ignored", payload: `{}`, kind: KindIgnored, typ: "other"},

		{name: "null island", payload: `{"_type":"location","lat":0,"lon":0,"tst":1764201600}`, reason: ReasonNullIsland},
		{name: "a day and a minute ahead", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764288060}`, reason: ReasonFuture},
		{name: "6 minutes ahead (issue 22: up to a day was kept, and froze the unit)", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201960}`, reason: ReasonFuture},
		{name: "a transition 6 minutes ahead", payload: `{"_type":"transition","event":"enter","desc":"RSUD","tst":1764201960}`, reason: ReasonFuture},
		{name: "transition from the future", payload: `{"_type":"transition","event":"enter","tst":1764288060}`, reason: ReasonFuture},
		{name: "garbage", payload: `garbage`, reason: ReasonNotJSON},
		{name: "truncated", payload: `{"_type":"location","lat":-6.1`, reason: ReasonNotJSON},
		{name: "NaN is not JSON", payload: `{"_type":"location","lat":NaN,"lon":106.1,"tst":1764201600}`, reason: ReasonNotJSON},
		{name: "string latitude", payload: `{"_type":"location","lat":"-6.1","lon":106.1,"tst":1764201600}`, reason: ReasonWrongType},
		{name: "overflowing latitude", payload: `{"_type":"location","lat":1e999,"lon":106.1,"tst":1764201600}`, reason: ReasonWrongType},
		{name: "array payload", payload: `[1,2]`, reason: ReasonWrongType},
		{name: "numeric _type", payload: `{"_type":5}`, reason: ReasonWrongType},
		{name: "missing tst", payload: `{"_type":"location","lat":-6.1,"lon":106.1}`, reason: ReasonMissingField},
		{name: "missing lon", payload: `{"_type":"location","lat":-6.1,"tst":1764201600}`, reason: ReasonMissingField},
		{name: "latitude out of range", payload: `{"_type":"location","lat":-96.1,"lon":106.1,"tst":1764201600}`, reason: ReasonOutOfRange},
		{name: "negative time", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":-5}`, reason: ReasonOutOfRange},
		{name: "transition without event", payload: `{"_type":"transition","tst":1764201500}`, reason: ReasonMissingField},
		{name: "transition with an odd event", payload: `{"_type":"transition","event":"hover","tst":1764201500}`, reason: ReasonBadEvent},
		{name: "encrypted without data", payload: `{"_type":"encrypted"}`, reason: ReasonMissingField},
		{name: "encrypted with no secret set", payload: `{"_type":"encrypted","data":"AAAA"}`, reason: ReasonNoSecret},
		{name: "oversized payload", payload: `{"_type":"location","pad":"` + strings.Repeat("x", MaxPayload) + `"}`, reason: ReasonTooLarge},

		// What fastjson alone would take, and encoding/json did not.
		{name: "Infinity is not JSON", payload: `{"_type":"location","lat":-6.1,"lon":Infinity,"tst":1764201600}`, reason: ReasonNotJSON},
		{name: "-Inf is not JSON", payload: `{"_type":"location","lat":-6.1,"lon":-Inf,"tst":1764201600}`, reason: ReasonNotJSON},
		{name: "a leading zero is not JSON", payload: `{"_type":"location","lat":-06.1,"lon":106.1,"tst":1764201600}`, reason: ReasonNotJSON},
		{name: "a bad escape in a field nobody reads", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600,"tid":"\q"}`, reason: ReasonNotJSON},
		{name: "a raw control character in a string", payload: "{\"_type\":\"location\",\"lat\":-6.1,\"lon\":106.1,\"tst\":1764201600,\"tid\":\"\x01\"}", reason: ReasonNotJSON},
		{name: "a raw control character before an escape", payload: "{\"_type\":\"lwt\",\"tid\":\"\x01\\n\"}", reason: ReasonNotJSON},
		{name: "a raw tab in a key with an escape", payload: "{\"_type\":\"lwt\",\"a\tb\\n\":1}", reason: ReasonNotJSON},
		{name: "trailing garbage", payload: `{"_type":"lwt"}x`, reason: ReasonNotJSON},
		{name: "string payload", payload: `"location"`, reason: ReasonWrongType},
		{name: "null payload is an empty object", payload: `null`, kind: KindIgnored, typ: "other"},

		// Keys match exactly (encoding/json took "LAT" for lat).
		{name: "LAT is not lat", payload: `{"_type":"location","LAT":-6.1,"lon":106.1,"tst":1764201600}`, reason: ReasonMissingField},
		{name: "an escaped key is the key", payload: `{"\u005ftype":"location","l\u0061t":-6.1,"lon":106.1,"tst":1764201600}`, kind: KindLocation, typ: "location"},

		// Repeated keys are read in order into the same field.
		{
			name: "a repeated lat: the last number", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600,"lat":-6.2}`,
			kind: KindLocation, typ: "location",
			check: func(t *testing.T, m Message) {
				if m.Location.Lat != -6.2 {
					t.Fatalf("lat %v", m.Location.Lat)
				}
			},
		},
		{name: "a later null does not undo lat", payload: `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600,"lat":null}`, kind: KindLocation, typ: "location"},
		{name: "a mistyped lat is not mended by a later number", payload: `{"_type":"location","lat":"x","lon":106.1,"tst":1764201600,"lat":-6.1}`, reason: ReasonWrongType},

		// Nesting: fastjson reads 300 levels; encoding/json read 10000.
		{name: "nested 300 deep", payload: `{"_type":"lwt","x":` + strings.Repeat("[", 299) + strings.Repeat("]", 299) + `}`, kind: KindLastWill, typ: "lwt"},
		{name: "nested 301 deep", payload: `{"_type":"lwt","x":` + strings.Repeat("[", 300) + strings.Repeat("]", 300) + `}`, reason: ReasonNotJSON},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.payload), now, nil)
			if tt.reason != "" {
				var r *RefusedError
				if !errors.As(err, &r) || r.Reason != tt.reason {
					t.Fatalf("err = %v, want refusal %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected refusal: %v", err)
			}
			if m.Kind != tt.kind || m.Type != tt.typ {
				t.Fatalf("kind, type = %v, %q; want %v, %q", m.Kind, m.Type, tt.kind, tt.typ)
			}
			if tt.check != nil {
				tt.check(t, m)
			}
		})
	}
}

func TestPOIPayloadFitsAndImageIsDropped(t *testing.T) {
	if n := len(iosLocationWithPOI); n <= 4096 || n > MaxPayload {
		t.Fatalf("test payload is %d bytes; it must be over the old 4 KiB cap and within MaxPayload", n)
	}
	// Nothing of the image can come out: the decoded message is only
	// numbers, times and short labels.
	m, err := Decode([]byte(iosLocationWithPOI), now, nil)
	if err != nil || m.Kind != KindLocation {
		t.Fatalf("m, err = %+v, %v", m, err)
	}
}

// An envelope made with a passphrase, as the apps make it, opens to the
// same message as the plain payload.
func TestDecodeEncrypted(t *testing.T) {
	secret := []byte("kota serang 112")
	tests := []struct {
		name   string
		plain  string
		key    []byte // used to decode; nil means secret
		kind   Kind
		reason Reason
	}{
		{name: "iOS location with a POI image", plain: iosLocationWithPOI, kind: KindLocation},
		{name: "Android location", plain: androidLocation, kind: KindLocation},
		{name: "transition", plain: iosTransition, kind: KindTransition},
		{name: "wrong secret", plain: androidLocation, key: []byte("kota serang 113"), reason: ReasonDecrypt},
		{name: "inner null island still refused", plain: `{"_type":"location","lat":0,"lon":0,"tst":1764201600}`, reason: ReasonNullIsland},
		{name: "nested envelope refused", plain: `{"_type":"encrypted","data":"AAAA"}`, reason: ReasonWrongType},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env, err := Encrypt([]byte(tt.plain), secret, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			key := tt.key
			if key == nil {
				key = secret
			}
			m, err := Decode(env, now, key)
			if tt.reason != "" {
				var r *RefusedError
				if !errors.As(err, &r) || r.Reason != tt.reason {
					t.Fatalf("err = %v, want refusal %q", err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want, _ := Decode([]byte(tt.plain), now, nil)
			want.Encrypted = true
			if m != want || m.Kind != tt.kind {
				t.Fatalf("decrypted %+v\nwant      %+v", m, want)
			}
		})
	}
}

// TestDecryptKnownVector pins the wire layout (nonce first, std base64,
// key = passphrase zero-padded to 32) with an envelope built by hand, so a
// change in Encrypt cannot hide a change in Decrypt.
func TestDecryptKnownVector(t *testing.T) {
	// nonce 0x01…0x18, key "test" padded, plaintext `{"_type":"lwt"}`;
	// sealed with libsodium's crypto_secretbox_easy layout (tag then box).
	env, err := Encrypt([]byte(`{"_type":"lwt"}`), []byte("test"), bytes.NewReader([]byte{
		1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24}))
	if err != nil {
		t.Fatal(err)
	}
	data := strings.TrimSuffix(strings.TrimPrefix(string(env), `{"_type":"encrypted","data":"`), `"}`)
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(raw[:4], []byte{1, 2, 3, 4}) || len(raw) != 24+16+len(`{"_type":"lwt"}`) {
		t.Fatalf("envelope layout: % x", raw)
	}
	// Same key by its padded form: a 32-byte passphrase "test\0\0…" opens it.
	padded := append([]byte("test"), make([]byte, 28)...)
	if _, err := Decrypt(data, padded); err != nil {
		t.Fatalf("zero-padded key does not open it: %v", err)
	}
	// With a wrapped line, as some base64 encoders write.
	if _, err := Decrypt(data[:20]+"\n"+data[20:], []byte("test")); err != nil {
		t.Fatalf("wrapped base64: %v", err)
	}
	for _, bad := range []string{"", "!!!!", base64.StdEncoding.EncodeToString(make([]byte, 39))} {
		var r *RefusedError
		if _, err := Decrypt(bad, []byte("test")); !errors.As(err, &r) || r.Reason != ReasonDecrypt {
			t.Fatalf("Decrypt(%q) = %v, want a decrypt refusal", bad, err)
		}
	}
}

// FuzzDecode: whatever arrives, Decode returns a message or a refusal with
// a known reason, never panics, and never lets a bad fix through.
func FuzzDecode(f *testing.F) {
	env, _ := Encrypt([]byte(androidLocation), []byte("k"), rand.Reader)
	for _, s := range []string{androidLocation, iosTransition, `{"_type":"lwt","tst":1764201000}`, string(env),
		`{"_type":"location","lat":"x"}`, `{"_type":"location","lat":1e308,"lon":-1e308,"tst":1e300}`,
		`{"_type":"encrypted","data":5}`, `garbage`, `{"_type":"transition","event":"enter","lat":0,"lon":0,"tst":1}`} {
		f.Add([]byte(s))
	}
	known := map[Reason]bool{}
	for _, r := range Reasons {
		known[r] = true
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		m, err := Decode(payload, now, []byte("k"))
		if err != nil {
			var r *RefusedError
			if !errors.As(err, &r) || !known[r.Reason] {
				t.Fatalf("error %v is not a refusal with a known reason", err)
			}
			return
		}
		switch m.Kind {
		case KindLocation:
			if p, d := m.Location.Check(now); p != tracking.FixOK {
				t.Fatalf("bad fix let through (%s): %+v", d, m.Location)
			}
			if o := m.Location.Heading; o.Valid && !(o.Value >= 0 && o.Value < 360) {
				t.Fatalf("heading %v", o.Value)
			}
		case KindTransition:
			e := m.Transition
			if e.Kind != tracking.RegionEnter && e.Kind != tracking.RegionLeave || len(e.Region) > tracking.MaxRegionNameLen {
				t.Fatalf("bad transition let through: %+v", e)
			}
		}
		if _, known := knownTypes[m.Type]; !known && m.Type != "other" {
			t.Fatalf("unbounded type label %q", m.Type)
		}
	})
}

func BenchmarkDecode(b *testing.B) {
	env, _ := Encrypt([]byte(androidLocation), []byte("k"), rand.Reader)
	for _, bc := range []struct{ name, payload string }{
		{"android", androidLocation}, {"ios_poi_image", iosLocationWithPOI}, {"encrypted", string(env)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := []byte(bc.payload)
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(p, now, []byte("k")); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkDecodeRefused: what a payload costs that is refused, among
// them nesting that fastjson would refuse at a quadratic cost.
func BenchmarkDecodeRefused(b *testing.B) {
	for _, bc := range []struct{ name, payload string }{
		{"garbage", "garbage"},
		{"nan", `{"_type":"location","lat":NaN,"lon":106.1,"tst":1764201600}`},
		{"array_301_deep", strings.Repeat("[", 301) + strings.Repeat("]", 301)},
		{"refused_300_deep", `{"_type":"location","x":` + strings.Repeat("[", 298) + "x}"},
		{"brackets_60k", strings.Repeat("[", 60000)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			p := []byte(bc.payload)
			b.SetBytes(int64(len(p)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Decode(p, now, nil); err == nil {
					b.Fatal("not refused")
				}
			}
		})
	}
}

// fastjson words an error once more at each level it unwinds: 600 bytes
// of "[" cost it 1200 allocations and 4 MB. Deep payloads must not reach it.
func TestDeepPayloadsAreCheap(t *testing.T) {
	for _, p := range []string{
		strings.Repeat("[", 301) + strings.Repeat("]", 301),
		`{"_type":"location","x":` + strings.Repeat("[", 298) + "x}",
		`{"_type":"location","x":` + strings.Repeat(`{"a":`, 298) + `"\q"` + strings.Repeat("}", 298) + "}",
		`{"_type":"location","x":` + strings.Repeat("[", 299) + strings.Repeat("]", 299) + "}",
	} {
		// Bytes, not allocations: under -race sync.Pool drops readers at
		// random, and a fresh fastjson parser allocates its value cache.
		if n := allocated(5, func() { Decode([]byte(p), now, nil) }); n > 64<<10 {
			t.Errorf("%.0f bytes allocated for %.40q…", n, p)
		}
	}
}

func TestPayloadSizeLimit(t *testing.T) {
	loc := `{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600,"image":"`
	pad := func(n int) []byte { return []byte(loc + strings.Repeat("A", n-len(loc)-2) + `"}`) }
	if _, err := Decode(pad(MaxPayload), now, nil); err != nil {
		t.Fatalf("exactly 64 KiB refused: %v", err)
	}
	var r *RefusedError
	if _, err := Decode(pad(MaxPayload+1), now, nil); !errors.As(err, &r) || r.Reason != ReasonTooLarge {
		t.Fatalf("64 KiB + 1: %v", err)
	}
}

// TestDecryptLibsodiumVector opens an envelope made by libsodium itself
// (crypto_secretbox_easy, the call the apps make), not by this package:
// key "kota serang 112" zero-padded to 32, nonce bytes 100…123, data =
// base64(nonce ‖ box). Made with libsodium 1.0.18 through Python ctypes.
func TestDecryptLibsodiumVector(t *testing.T) {
	const data = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7ZmjcsbGaXjvVrfBs0TAv/vJhnmKNbViiKqKTqX9uIsnZrhfrC/e+bu2J3gE99GVdrimrLc7oh2VNNhLvDp7jzvGbTrN9iq+oMdyaw9U5D+QGv6lU1XNxZTWoeSsMh2IKEj6lYU4="
	m, err := Decode([]byte(`{"_type":"encrypted","data":"`+data+`"}`), now, []byte("kota serang 112"))
	if err != nil {
		t.Fatal(err)
	}
	want := tracking.Fix{Lat: -6.1102, Lon: 106.1633, At: time.Unix(1764201595, 0).UTC(),
		Battery: tracking.Some(64), AccuracyM: tracking.Some(12)}
	if !m.Encrypted || m.Kind != KindLocation || m.Location != want {
		t.Fatalf("decoded %+v", m)
	}
}
