package interop

import (
	"math"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
)

// The example: 128 characters, ml=128.
const amlExample = `A"ML=1;lt=-6.11500;lg=+106.15000;rd=20;top=20260101093000;lc=68;pm=G;si=510109876543210;ei=490154203237518;mcc=510;mnc=10;ml=128`

var amlReceived = time.Date(2026, 1, 1, 9, 30, 4, 0, time.UTC)

// withML writes an AML body (without ml) with its correct ml.
func withML(body string) string {
	for d := 1; d < 6; d++ {
		n := len(body) + len(";ml=") + d
		if len(strconv.Itoa(n)) == d {
			return body + ";ml=" + strconv.Itoa(n)
		}
	}
	panic("no ml fits")
}

func TestParseAMLSMS(t *testing.T) {
	for _, tc := range []struct {
		name      string
		text      string
		wantField string // refused: the error names this ("" : accepted)
		located   bool
		version   string
		lat, lon  float64
		radius    float64
		method    tracking.PositionMethod
		conf      int // -1: none
		at        time.Time
	}{
		{name: "the issue's example", text: amlExample, located: true, version: "1", lat: -6.115, lon: 106.15, radius: 20,
			method: tracking.MethodGNSS, conf: 68, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "trailing CRLF ignored", text: amlExample + "\r\n", located: true, version: "1", lat: -6.115, lon: 106.15, radius: 20,
			method: tracking.MethodGNSS, conf: 68, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "wifi, fields in another order, no lc", text: withML(`A"ML=1;pm=W;rd=35.5;top=20260101093000;lg=106.2;lt=-6.1`), located: true, version: "1",
			lat: -6.1, lon: 106.2, radius: 35.5, method: tracking.MethodWiFi, conf: -1, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "cell", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=1500;top=20260101093000;lc=90;pm=C`), located: true, version: "1",
			lat: -6.1, lon: 106.2, radius: 1500, method: tracking.MethodCell, conf: 90, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "unknown method letter", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000;pm=F`), located: true, version: "1",
			lat: -6.1, lon: 106.2, radius: 10, method: tracking.MethodUnknown, conf: -1, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "unknown fields ignored", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000;pm=G;xx=future;fl=2`), located: true, version: "1",
			lat: -6.1, lon: 106.2, radius: 10, method: tracking.MethodGNSS, conf: -1, at: time.Date(2026, 1, 1, 9, 30, 0, 0, time.UTC)},
		{name: "pm=N: not located", text: withML(`A"ML=1;lt=;lg=;rd=;top=20260101093000;lc=;pm=N;si=510109876543210`), version: "1"},
		{name: "pm=N without position fields", text: withML(`A"ML=1;pm=N`), version: "1"},
		{name: "0,0 is no fix", text: withML(`A"ML=1;lt=0;lg=0;rd=10;top=20260101093000;pm=G`), version: "1"},
		{name: "version 2 kept raw", text: `A"ML=2;whatever=new;ml=5`, version: "2"},
		{name: "missing lt", text: withML(`A"ML=1;lg=106.2;rd=10;top=20260101093000;pm=G`), wantField: "lt"},
		{name: "missing lg", text: withML(`A"ML=1;lt=-6.1;rd=10;top=20260101093000;pm=G`), wantField: "lg"},
		{name: "missing rd", text: withML(`A"ML=1;lt=-6.1;lg=106.2;top=20260101093000;pm=G`), wantField: "rd"},
		{name: "missing top", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;pm=G`), wantField: "top"},
		{name: "missing pm", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000`), wantField: "pm"},
		{name: "missing ml", text: `A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000;pm=G`, wantField: "ml"},
		{name: "ml without its own digits", text: strings.Replace(amlExample, "ml=128", "ml=122", 1), wantField: "ml"},
		{name: "cut message", text: amlExample[:60] + ";ml=128", wantField: "ml"},
		{name: "lt beyond 90", text: withML(`A"ML=1;lt=-91.0;lg=106.2;rd=10;top=20260101093000;pm=G`), wantField: "latitude"},
		{name: "lg beyond 180", text: withML(`A"ML=1;lt=-6.1;lg=+180.5;rd=10;top=20260101093000;pm=G`), wantField: "longitude"},
		{name: "lt NaN", text: withML(`A"ML=1;lt=NaN;lg=106.2;rd=10;top=20260101093000;pm=G`), wantField: "latitude"},
		{name: "lg exponent", text: withML(`A"ML=1;lt=-6.1;lg=1e2;rd=10;top=20260101093000;pm=G`), wantField: "longitude"},
		{name: "bad top", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20261301093000;pm=G`), wantField: "top"},
		{name: "short top", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=202601010930;pm=G`), wantField: "top"},
		{name: "negative rd", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=-5;top=20260101093000;pm=G`), wantField: "rd"},
		{name: "lc over 100", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000;lc=150;pm=G`), wantField: "lc"},
		{name: "IMSI not digits", text: withML(`A"ML=1;lt=-6.1;lg=106.2;rd=10;top=20260101093000;pm=G;si=<script>`), wantField: "si"},
		{name: "field twice", text: withML(`A"ML=1;lt=-6.1;lt=-6.2;lg=106.2;rd=10;top=20260101093000;pm=G`), wantField: "lt"},
		{name: "no A\"ML=", text: "Tolong, rumah saya terbakar", wantField: `A"ML=`},
		{name: "lower case prefix", text: `a"ml=1;pm=N;ml=14`, wantField: `A"ML=`},
		{name: "empty", text: "", wantField: `A"ML=`},
		{name: "bad version", text: `A"ML=<b>;ml=9`, wantField: "version"},
		{name: "too long", text: `A"ML=1;` + strings.Repeat("x", MaxAMLSMS), wantField: "bytes"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAMLSMS(tc.text, amlReceived)
			if tc.wantField != "" {
				if tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), tc.wantField) {
					t.Fatalf("got %+v, %v; want an invalid error naming %q", a, err, tc.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.Version != tc.version || a.Located != tc.located || a.Raw != strings.TrimRight(tc.text, "\r\n") {
				t.Fatalf("got %+v", a)
			}
			if !tc.located {
				if a.Reason == "" {
					t.Fatal("not located without a reason")
				}
				return
			}
			l := a.Location
			if math.Abs(l.Lat-tc.lat) > 1e-9 || math.Abs(l.Lon-tc.lon) > 1e-9 || l.RadiusM != tc.radius || l.Method != tc.method ||
				!l.At.Equal(tc.at) || !l.ReceivedAt.Equal(amlReceived) || l.Source != tracking.SourceAMLSMS {
				t.Fatalf("got %+v", l)
			}
			if (l.ConfidencePct == nil) != (tc.conf < 0) || (l.ConfidencePct != nil && *l.ConfidencePct != tc.conf) {
				t.Fatalf("confidence %v, want %d", l.ConfidencePct, tc.conf)
			}
		})
	}
}

func TestParseAMLSMSExampleDevice(t *testing.T) {
	a, err := ParseAMLSMS(amlExample, amlReceived)
	if err != nil {
		t.Fatal(err)
	}
	if a.IMSI != "510109876543210" || a.IMEI != "490154203237518" || a.MCC != "510" || a.MNC != "10" {
		t.Fatalf("got %+v", a)
	}
}

func TestParseAMLHTTPS(t *testing.T) {
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	full := []string{"v", "1", "device_number", "+6281234567890", "location_latitude", "-6.115", "location_longitude", "106.15",
		"location_time", "1767259800000", "location_accuracy", "12.5", "location_source", "gps", "location_confidence", "68",
		"emergency_number", "112", "thunderbird_version", "3.1", "device_imei", "490154203237518"}
	set := func(k, v string) []string {
		out := append([]string(nil), full...)
		for i := 0; i < len(out); i += 2 {
			if out[i] == k {
				out[i+1] = v
				return out
			}
		}
		return append(out, k, v)
	}
	for _, tc := range []struct {
		name    string
		form    url.Values
		located bool
		reason  string // a word the reason holds
		method  tracking.PositionMethod
		at      time.Time
	}{
		{"full", form(full...), true, "", tracking.MethodGNSS, time.UnixMilli(1767259800000)},
		{"wifi", form(set("location_source", "WiFi")...), true, "", tracking.MethodWiFi, time.UnixMilli(1767259800000)},
		{"cell", form(set("location_source", "cell")...), true, "", tracking.MethodCell, time.UnixMilli(1767259800000)},
		{"fused", form(set("location_source", "fused")...), true, "", tracking.MethodUnknown, time.UnixMilli(1767259800000)},
		{"no time: receipt", form(set("location_time", "")...), true, "", tracking.MethodGNSS, amlReceived},
		{"no position", form(set("location_latitude", "")[:0]...), false, "device_number", "", time.Time{}},
		{"empty position", form(append(set("location_latitude", ""), "location_longitude", "")...), false, "no position", "", time.Time{}},
		{"bad number", form(set("device_number", "<b>")...), false, "device_number", "", time.Time{}},
		{"latitude out of range", form(set("location_latitude", "95")...), false, "location_latitude", "", time.Time{}},
		{"longitude NaN", form(set("location_longitude", "NaN")...), false, "location_longitude", "", time.Time{}},
		{"0,0", form(append(set("location_latitude", "0"), "location_longitude", "0")...), false, "0, 0", "", time.Time{}},
		{"no accuracy", form(set("location_accuracy", "")...), false, "location_accuracy", "", time.Time{}},
		{"bad time", form(set("location_time", "yesterday")...), false, "location_time", "", time.Time{}},
		{"bad confidence", form(set("location_confidence", "200")...), false, "location_confidence", "", time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := ParseAMLHTTPS(tc.form, amlReceived)
			if a.Located != tc.located || (!tc.located && !strings.Contains(a.Reason, tc.reason)) {
				t.Fatalf("got %+v; want located %v, reason naming %q", a, tc.located, tc.reason)
			}
			if !tc.located {
				return
			}
			l := a.Location
			if l.Number != "081234567890" || l.Lat != -6.115 || l.Lon != 106.15 || l.RadiusM != 12.5 || l.Method != tc.method ||
				!l.At.Equal(tc.at) || l.Source != tracking.SourceAMLHTTPS || l.ConfidencePct == nil || *l.ConfidencePct != 68 {
				t.Fatalf("got %+v", l)
			}
		})
	}
}

// FuzzParseAML: no input panics; what is accepted is a sane location; the
// HTTPS form never refuses, and says why it did not locate.
func FuzzParseAML(f *testing.F) {
	for _, s := range []string{amlExample, amlExample + "\r\n", `A"ML=1;pm=N;ml=14`, `A"ML=2;x=y`, `A"ML=1;lt=;ml=`, "",
		`A"ML=1;lt=-91;lg=0;rd=1;top=20260101000000;pm=G;ml=44`,
		"device_number=0812&location_latitude=-6.1&location_longitude=106&location_accuracy=5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAMLSMS(s, amlReceived)
		if err != nil {
			if tracking.CodeOf(err) != tracking.CodeInvalid {
				t.Fatalf("uncoded error %v", err)
			}
		} else if a.Located {
			l := a.Location
			if math.IsNaN(l.Lat) || math.IsNaN(l.Lon) || l.Lat < -90 || l.Lat > 90 || l.Lon < -180 || l.Lon > 180 || l.RadiusM < 0 || math.IsNaN(l.RadiusM) {
				t.Fatalf("accepted a bad location %+v from %q", l, s)
			}
			if ml := strings.TrimRight(s, "\r\n"); !strings.HasSuffix(ml, "") || len(a.Raw) != len(ml) {
				t.Fatalf("raw %q", a.Raw)
			}
		} else if a.Reason == "" {
			t.Fatalf("neither located nor a reason: %q", s)
		}
		if form, err := url.ParseQuery(s); err == nil {
			h := ParseAMLHTTPS(form, amlReceived)
			if !h.Located && h.Reason == "" {
				t.Fatalf("HTTPS: neither located nor a reason: %q", s)
			}
			if h.Located && (math.IsNaN(h.Location.Lat) || h.Location.Lat < -90 || h.Location.Lat > 90 || h.Location.Number == "") {
				t.Fatalf("HTTPS: accepted a bad location %+v from %q", h.Location, s)
			}
		}
	})
}

func BenchmarkParseAMLSMS(b *testing.B) {
	cpuPerOp(b)
	b.ReportAllocs()
	for b.Loop() {
		if a, err := ParseAMLSMS(amlExample, amlReceived); err != nil || !a.Located {
			b.Fatal(err)
		}
	}
}
