package owntracks

// Payloads an attacker with a device credential, or an odd phone, sends.

import (
	"crypto/rand"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// A tst that rounds to the epoch is no time, whatever the message.
func TestDecodeTimeAtTheEpoch(t *testing.T) {
	tests := []struct {
		name    string
		payload string
		reason  Reason                        // a refusal, or "" for a message
		check   func(t *testing.T, m Message) // for a message
	}{
		// tst 0.0004 rounds to the epoch itself, which Fix.Check calls "no
		// time" for a location; a transition or will is not put through
		// Fix.Check and kept 1970-01-01T00:00:00Z before.
		{name: "transition at tst 0.0004 (rounds to the epoch) is no time", reason: ReasonOutOfRange,
			payload: `{"_type":"transition","event":"enter","desc":"RSUD","tst":0.0004}`},
		{name: "lwt at tst 0.0004: ConnectedAt is absent (zero), not the epoch",
			payload: `{"_type":"lwt","tst":0.0004}`,
			check: func(t *testing.T, m Message) {
				if !m.LastWill.ConnectedAt.IsZero() {
					t.Fatalf("ConnectedAt = %v, want the zero time (\"Zero when absent\")", m.LastWill.ConnectedAt)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(tt.payload), now, nil)
			if tt.reason != "" {
				var r *RefusedError
				if !errors.As(err, &r) || r.Reason != tt.reason {
					t.Fatalf("Decode(%q) = %+v, %v; want refusal %q", tt.payload, m, err, tt.reason)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected refusal: %v", err)
			}
			tt.check(t, m)
		})
	}
}

// TestDecodeLabelsDropFormatCharacters: labels (desc, rid, t) lose Unicode
// format and separator characters, not only control characters: U+202E turns a region name around on a
// dispatcher's screen, U+2028/U+2029 break lines in logs and in JavaScript
// before ES2019, and zero-width characters make two names that look alike
// differ.
func TestDecodeLabelsDropFormatCharacters(t *testing.T) {
	tests := []struct {
		name string
		desc string // JSON string content
	}{
		{name: "right-to-left override", desc: `RSUD \u202eGNARES`},
		{name: "line separator", desc: `RSUD\u2028Serang`},
		{name: "paragraph separator", desc: `RSUD\u2029Serang`},
		{name: "zero-width space", desc: `RSUD\u200bSerang`},
		{name: "byte order mark inside", desc: `RSUD\ufeffSerang`},
		{name: "Arabic letter mark", desc: `RSUD\u061cSerang`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := Decode([]byte(`{"_type":"transition","event":"enter","tst":1764201500,"desc":"`+tt.desc+`"}`), now, nil)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range m.Transition.Region {
				if r == '\u2028' || r == '\u2029' || (r >= '\u200b' && r <= '\u200f') || (r >= '\u202a' && r <= '\u202e') ||
					(r >= '\u2066' && r <= '\u2069') || r == '\ufeff' || r == '\u061c' {
					t.Fatalf("region %q keeps %U", m.Transition.Region, r)
				}
			}
		})
	}
}

// allocated is the fewest bytes one call of f allocates, over n calls: the
// cost with a warm parser pool. After a collection has emptied the pool,
// the first call costs more: fastjson builds a Value for every member,
// about 1 MB for 10000 of them, kept in the pool until two collections.
func allocated(n int, f func()) float64 {
	least := uint64(1 << 62)
	for range n {
		var a, b runtime.MemStats
		runtime.ReadMemStats(&a)
		f()
		runtime.ReadMemStats(&b)
		least = min(least, b.TotalAlloc-a.TotalAlloc)
	}
	return float64(least)
}

// hostile are payloads made to cost the decoder; the 64 KiB ones are
// what a unit's credential lets anyone send.
var hostile = func() []struct{ name, payload string } {
	const n = 60 << 10
	ff := strings.Repeat("\xff", n)
	return []struct{ name, payload string }{
		// fastjson words a bad literal (t…, f…, n…) with the whole rest of
		// the payload quoted (%q: 4 bytes for each invalid byte), then
		// copies that message once more at each level it unwinds (two per
		// level). The 16 brackets suspect lets through make 32 copies.
		{"bad literal then 60 KiB of 0xFF", `{"a":nul` + ff},
		{"bad literal 15 levels down then 60 KiB of 0xFF", `{"a":` + strings.Repeat("[", 15) + `nul` + ff},
		{"bad literal 15 objects down then 60 KiB of 0x01", `{"a":` + strings.Repeat(`{"a":`, 15) + `tru` + strings.Repeat("\x01", n)},
		{"bad literal 15 levels down then 60 KiB of A", `{"a":` + strings.Repeat("[", 15) + `fals` + strings.Repeat("A", n)},
		// nan passes fastjson's parser and fails its validator, which words
		// it the same way: the rest of the payload can even be valid JSON.
		{"nan 15 levels down then a valid 60 KiB string", `{"a":` + strings.Repeat("[", 15) + `nan,"` + ff + `"` + strings.Repeat("]", 15) + `}`},
		{"location with nan and a 60 KiB POI image", `{"_type":"location","lat":-6.1,"lon":106.1,"tst":1764201600,"acc":nan,"image":"` +
			strings.Repeat("/9j/4AAQSkZJRgABAQ", n/18) + `"}`},

		// Shapes the decoder handles in linear time (guards).
		{"60 KiB of [", strings.Repeat("[", n)},
		{"60 KiB of {\"a\":", strings.Repeat(`{"a":`, n/5)},
		{"nested 299 deep, 100 times", `{"_type":"lwt","x":[` + strings.Repeat(strings.Repeat("[", 298)+strings.Repeat("]", 298)+",", 100) + `0]}`},
		{"10000 repeated keys", `{"_type":"lwt"` + strings.Repeat(`,"k":1`, 10000) + `}`},
		{"3800 repeated desc with a lone surrogate", `{"_type":"transition","event":"enter","tst":1764201500` + strings.Repeat(`,"desc":"\ud800"`, 3800) + `}`},
		{"desc of 10000 lone surrogates", `{"_type":"transition","event":"enter","tst":1764201500,"desc":"` + strings.Repeat(`\ud800`, 10000) + `"}`},
		{"desc of 30000 escaped quotes", `{"_type":"transition","event":"enter","tst":1764201500,"desc":"` + strings.Repeat(`\"`, 30000) + `"}`},
		{"30000 numbers", `{"_type":"lwt","a":[` + strings.Repeat(`1,`, 30000) + `1]}`},
		{"a 60 KiB lat", `{"_type":"location","lon":106.1,"tst":1764201600,"lat":-6.` + strings.Repeat("1", n) + `}`},
		{"escape and a control character (json.Valid path)", `{"_type":"lwt","a":"\n` + strings.Repeat("A", n) + `","b":"` + "\x01" + `"}`},
	}
}()

// TestDecodeHostileCost: no payload may cost Decode much more memory than
// it cost the encoding/json decoder it replaced (the reference), whatever
// the payload. The bound is generous: four times the reference plus
// 64 KiB, plus 24 bytes per payload byte for a parser fresh from the pool
// (after a GC, or at random under -race), which builds a value for each
// member: ~16 bytes per byte for 10,000 tiny ones. Times are logged (go
// test -v). The "bad literal" and "nan" rows cost 3–18 MB (50–300 bytes
// per byte) when fastjson, not json.Valid, refused them.
func TestDecodeHostileCost(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates")
	}
	for _, h := range hostile {
		t.Run(h.name, func(t *testing.T) {
			p := []byte(h.payload)
			if len(p) > MaxPayload {
				t.Fatalf("payload is %d bytes, over MaxPayload", len(p))
			}
			got := allocated(5, func() { Decode(p, now, nil) })
			ref := allocated(5, func() { refDecode(p, now, nil, false) })
			start := time.Now()
			for range 5 {
				Decode(p, now, nil)
			}
			d := time.Since(start) / 5
			start = time.Now()
			for range 5 {
				refDecode(p, now, nil, false)
			}
			rd := time.Since(start) / 5
			t.Logf("%6d bytes: Decode %8.0f B %9v; reference %8.0f B %9v", len(p), got, d, ref, rd)
			if got > 4*ref+64<<10+24*float64(len(p)) {
				t.Errorf("Decode allocates %.0f bytes for a %d-byte payload (%.0fx its size); the reference %.0f", got, len(p), got/float64(len(p)), ref)
			}
		})
	}
}

// TestDecodeConcurrent: Decode from many goroutines at once (run it
// with -race) returns for each payload what one goroutine alone returns,
// and a returned Message does not change while later payloads are decoded
// with the same pooled parsers.
func TestDecodeConcurrent(t *testing.T) {
	secret := []byte("kota serang 112")
	var payloads [][]byte
	add := func(p string) {
		payloads = append(payloads, []byte(p))
		if env, err := Encrypt([]byte(p), secret, rand.Reader); err == nil {
			payloads = append(payloads, env)
		}
	}
	for _, p := range referencePayloads {
		add(p)
	}
	for i := range 200 {
		// Labels that take fastjson's unescaping, and ones that take reread.
		add(fmt.Sprintf(`{"_type":"transition","event":"enter","tst":%d,"desc":"Pos %d \u00e9","rid":"r%d","t":"c"}`, 1764201000+i, i, i))
		add(fmt.Sprintf(`{"_type":"transition","event":"leave","tst":%d,"desc":"Pos %d \ud800 %s","rid":"\udc00%d","t":"b\ud800"}`, 1764201000+i, i, strings.Repeat("x", i), i))
		add(fmt.Sprintf(`{"_type":"location","lat":-6.%d,"lon":106.%d,"tst":%d,"acc":%d,"vel":%d}`, i+1, i+1, 1764201000+i, i, i))
	}
	type result struct {
		m   Message
		err string
	}
	decode := func(p []byte) result {
		m, err := Decode(p, now, secret)
		r := result{m: m}
		if err != nil {
			r.err = err.Error()
		}
		// Own copies of the strings, so the reference cannot be changed
		// through shared memory.
		r.m.Type = strings.Clone(r.m.Type)
		r.m.Transition.Region = strings.Clone(r.m.Transition.Region)
		r.m.Transition.RegionID = strings.Clone(r.m.Transition.RegionID)
		r.m.Transition.Trigger = strings.Clone(r.m.Transition.Trigger)
		return r
	}
	want := make([]result, len(payloads))
	for i, p := range payloads {
		want[i] = decode(p)
	}

	const workers, rounds = 8, 4
	got := make([][]result, workers)
	order := make([][]int, workers)
	var wg sync.WaitGroup
	for w := range workers {
		r := mrand.New(mrand.NewPCG(uint64(w), 1))
		order[w] = r.Perm(len(payloads) * rounds)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, k := range order[w] {
				m, err := Decode(payloads[k%len(payloads)], now, secret)
				res := result{m: m}
				if err != nil {
					res.err = err.Error()
				}
				got[w] = append(got[w], res)
			}
		}()
	}
	wg.Wait()
	// Everything has been decoded since: a Message that aliased a pooled
	// parser's memory would have changed by now.
	bad := 0
	for w := range workers {
		for j, k := range order[w] {
			if g, x := got[w][j], want[k%len(payloads)]; g != x {
				if bad++; bad <= 5 {
					t.Errorf("payload %.80q\nconcurrent %+v\nalone      %+v", payloads[k%len(payloads)], g, x)
				}
			}
		}
	}
	if bad > 0 {
		t.Fatalf("%d of %d concurrent results differ", bad, workers*len(payloads)*rounds)
	}
}
