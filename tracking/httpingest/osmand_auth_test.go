package httpingest

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"siaga112/tracking/internal/connlimit"
)

// TestOsmAndKey: each way of sending the unit's device password is taken,
// and a request without it, with a wrong one or for an id no unit has is
// the same 401, never applied (issue 22, item 1).
func TestOsmAndKey(t *testing.T) {
	const q = "id=" + imei + "&lat=-6.12&lon=106.15&timestamp=1764201590"
	jsonBody := `{"device_id":"` + imei + `","location":{"timestamp":1764201590,"coords":{"latitude":-6.12,"longitude":106.15}}}`
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		body        string
		user, pass  string // Basic auth when user != ""
		wantStatus  int
		wantReason  Reason
		wantInBody  string
	}{
		{name: "key in the query", target: "/?" + q + "&key=s3cret", wantStatus: 200},
		{name: "key in the form body", method: "POST", target: "/", contentType: "application/x-www-form-urlencoded", body: q + "&key=s3cret", wantStatus: 200},
		{name: "JSON body, key in the URL", method: "POST", target: "/?key=s3cret", contentType: "application/json", body: jsonBody, wantStatus: 200},
		{name: "Basic, user = unit id", target: "/?" + q, user: "AMB-01", pass: "s3cret", wantStatus: 200},
		{name: "Basic, user = tracker id", target: "/?" + q, user: imei, pass: "s3cret", wantStatus: 200},
		{name: "Basic with a JSON body", method: "POST", target: "/", contentType: "application/json", body: jsonBody, user: imei, pass: "s3cret", wantStatus: 200},

		{name: "no key", target: "/?" + q, wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "key="},
		{name: "empty key", target: "/?" + q + "&key=", wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "wrong key", target: "/?" + q + "&key=guess", wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "unknown tracker id or wrong key"},
		{name: "another unit's key", target: "/?" + q + "&key=other", wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "unknown tracker id or wrong key"},
		{name: "unknown id with a real key", target: "/?id=000000000000000&lat=-6.12&lon=106.15&key=s3cret", wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "unknown tracker id or wrong key"},
		{name: "JSON body without a key", method: "POST", target: "/", contentType: "application/json", body: jsonBody, wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "key in the JSON body is not a key", method: "POST", target: "/", contentType: "application/json",
			body: strings.Replace(jsonBody, `"device_id"`, `"key":"s3cret","device_id"`, 1), wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "Basic user naming another unit", target: "/?" + q, user: "AMB-02", pass: "other", wantStatus: 401, wantReason: ReasonUnauthorized, wantInBody: "Basic"},
		{name: "Basic user naming another unit, with this unit's password", target: "/?" + q, user: "AMB-02", pass: "s3cret", wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "Basic with a wrong password", target: "/?" + q, user: "AMB-01", pass: "guess", wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "a wrong key beats a right Basic password", target: "/?" + q + "&key=guess", user: "AMB-01", pass: "s3cret", wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "a stranger learns nothing about the fix", target: "/?id=" + imei + "&lat=abc&lon=106.15", wantStatus: 401, wantReason: ReasonUnauthorized},
		{name: "a key over 200 bytes", target: "/?" + q + "&key=" + strings.Repeat("k", MaxKeyLen+1), wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "key"},
		{name: "a Basic password over 200 bytes", target: "/?" + q, user: "AMB-01", pass: strings.Repeat("k", MaxKeyLen+1), wantStatus: 400, wantReason: ReasonBadParam, wantInBody: "key"},
		{name: "no id: nothing to authenticate", target: "/?lat=-6.12&lon=106.15&key=s3cret", wantStatus: 400, wantReason: ReasonMissingParam},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			in := newIngest(w)
			srv := httptest.NewServer(in.OsmAnd())
			defer srv.Close()
			method := tt.method
			if method == "" {
				method = "GET"
			}
			req, _ := http.NewRequest(method, srv.URL+tt.target, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.wantStatus {
				t.Fatalf("status %d %s, want %d", resp.StatusCode, got, tt.wantStatus)
			}
			if tt.wantStatus == 200 {
				if n := len(w.applied("AMB-01")); n != 1 {
					t.Fatalf("applied %d fixes, want 1", n)
				}
				return
			}
			if w.total() != 0 {
				t.Fatal("a refused request was applied")
			}
			proto := ProtoOsmAnd
			if tt.contentType == "application/json" {
				proto = ProtoTraccar
			}
			if in.Refused(proto, tt.wantReason) != 1 {
				t.Fatalf("refusal %q not counted under %s; body %s", tt.wantReason, proto, got)
			}
			if !strings.Contains(string(got), tt.wantInBody) {
				t.Fatalf("body %s does not say %q", got, tt.wantInBody)
			}
			if tt.wantStatus == 401 && resp.Header.Get("WWW-Authenticate") == "" {
				t.Fatal("401 without WWW-Authenticate")
			}
		})
	}
}

// An unknown id and a wrong key get the very same answer, so ids (IMEIs)
// cannot be enumerated.
func TestOsmAndUnknownIDLooksLikeAWrongKey(t *testing.T) {
	in := newIngest(newWorld())
	answer := func(target string) string {
		rec := httptest.NewRecorder()
		in.OsmAnd().ServeHTTP(rec, httptest.NewRequest("GET", target, nil))
		return rec.Result().Status + " " + rec.Header().Get("WWW-Authenticate") + " " + rec.Body.String()
	}
	unknown := answer("/?id=000000000000000&lat=-6.12&lon=106.15&key=guess")
	wrong := answer("/?id=" + imei + "&lat=-6.12&lon=106.15&key=guess")
	if unknown != wrong || !strings.HasPrefix(wrong, "401") {
		t.Fatalf("unknown id: %q\nwrong key: %q", unknown, wrong)
	}
}

// sourced is an HTTP client whose connections come from a given local
// address (127.0.0.x), as trackers on different networks.
func sourced(ip string) *http.Client {
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 5 * time.Second}
	return &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			return d.DialContext(ctx, network, addr)
		},
	}}
}

func get(t *testing.T, c *http.Client, url string) *http.Response {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp
}

// TestOsmAndAddressThrottle: an address that sent 10 wrong keys waits (429
// with Retry-After) even with the right key; another address is served;
// the wait ends with the window.
func TestOsmAndAddressThrottle(t *testing.T) {
	var mu sync.Mutex
	clock := now
	w := newWorld()
	in := New(Config{Devices: w, Trackers: w, Fleet: w, Now: func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }})
	srv := httptest.NewServer(in.OsmAnd())
	defer srv.Close()
	guesser, tracker := sourced("127.0.0.1"), sourced("127.0.0.2")
	fix := srv.URL + "/?id=" + imei + "&lat=-6.12&lon=106.15&key="
	for i := range DefaultFailureLimit {
		if resp := get(t, guesser, fix+"guess"+string(rune('a'+i))); resp.StatusCode != 401 {
			t.Fatalf("guess %d: %d, want 401", i+1, resp.StatusCode)
		}
	}
	resp := get(t, guesser, fix+"s3cret")
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "900" {
		t.Fatalf("right key after 10 wrong ones from the same address: %d Retry-After %q, want 429 and 900",
			resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if in.Refused(ProtoOsmAnd, ReasonThrottled) != 1 {
		t.Fatal("throttled not counted")
	}
	if resp := get(t, tracker, fix+"s3cret"); resp.StatusCode != 200 {
		t.Fatalf("another address: %d, want 200", resp.StatusCode)
	}
	mu.Lock()
	clock = clock.Add(DefaultFailureWindow - time.Minute)
	mu.Unlock()
	if resp := get(t, guesser, fix+"s3cret"); resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "60" {
		t.Fatalf("a minute before the end: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	mu.Lock()
	clock = clock.Add(time.Minute)
	mu.Unlock()
	if resp := get(t, guesser, fix+"s3cret"); resp.StatusCode != 200 {
		t.Fatalf("after the window: %d, want 200", resp.StatusCode)
	}
	if n := len(w.applied("AMB-01")); n != 2 {
		t.Fatalf("applied %d fixes, want 2", n)
	}
}

// IPv6 addresses are counted per /64.
func TestThrottleSource(t *testing.T) {
	tests := []struct {
		name, a, b string
		same       bool
	}{
		{"one IPv4 address", "192.0.2.1:1000", "192.0.2.1:2000", true},
		{"two IPv4 addresses", "192.0.2.1:1000", "192.0.2.2:1000", false},
		{"one IPv6 /64", "[2001:db8:1:2::1]:1000", "[2001:db8:1:2:ffff::9]:1000", true},
		{"two IPv6 /64s", "[2001:db8:1:2::1]:1000", "[2001:db8:1:3::1]:1000", false},
		{"IPv4-mapped IPv6 is the IPv4 address", "[::ffff:192.0.2.1]:1000", "192.0.2.1:1000", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			th := newAddrThrottle(2, time.Minute)
			th.fail(connlimit.SourceOf(tt.a), now)
			th.fail(connlimit.SourceOf(tt.a), now)
			if waits := th.wait(connlimit.SourceOf(tt.b), now) > 0; waits != tt.same {
				t.Fatalf("%s waits %v after %s failed twice, want %v", tt.b, waits, tt.a, tt.same)
			}
		})
	}
}

// A flood of keyless requests for a unit (issue 22: 40 from another
// address got 29×200, then the real tracker's fix got 429) never touches
// the unit's bucket: the real tracker then sends a whole burst.
func TestOsmAndKeylessFloodLeavesTheBucketFull(t *testing.T) {
	w := newWorld()
	const burst = 30
	in := New(Config{Devices: w, Trackers: w, Fleet: w, Now: func() time.Time { return now }, RatePerSecond: 0.001, Burst: burst})
	srv := httptest.NewServer(in.OsmAnd())
	defer srv.Close()
	stranger, tracker := sourced("127.0.0.3"), sourced("127.0.0.4")
	fix := srv.URL + "/?id=" + imei + "&lat=-6.12&lon=106.15"
	statuses := map[int]int{}
	for range 40 {
		statuses[get(t, stranger, fix).StatusCode]++
	}
	if statuses[200] != 0 || statuses[401] != DefaultFailureLimit || statuses[429] != 40-DefaultFailureLimit {
		t.Fatalf("keyless flood answered %v, want 10×401 then 429s", statuses)
	}
	for i := range burst {
		if resp := get(t, tracker, fix+"&key=s3cret"); resp.StatusCode != 200 {
			t.Fatalf("the real tracker's fix %d: %d, want 200", i+1, resp.StatusCode)
		}
	}
	if resp := get(t, tracker, fix+"&key=s3cret"); resp.StatusCode != 429 || in.Refused(ProtoOsmAnd, ReasonRateLimited) != 1 {
		t.Fatalf("past the burst: %d, want the unit's own 429", resp.StatusCode)
	}
}

// Keyless mode (--osmand-keyless) takes a request without a key by its id;
// a key it sends must still be right, and an unknown id is still 401.
func TestOsmAndKeylessMode(t *testing.T) {
	w := newWorld()
	in := New(Config{Devices: w, Trackers: w, Fleet: w, Now: func() time.Time { return now }, Keyless: true})
	tests := []struct {
		name, target string
		want         int
	}{
		{"no key", "/?id=" + imei + "&lat=-6.12&lon=106.15", 200},
		{"right key", "/?id=" + imei + "&lat=-6.12&lon=106.15&key=s3cret", 200},
		{"wrong key", "/?id=" + imei + "&lat=-6.12&lon=106.15&key=guess", 401},
		{"unknown id", "/?id=000000000000000&lat=-6.12&lon=106.15", 401},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			in.OsmAnd().ServeHTTP(rec, httptest.NewRequest("GET", tt.target, nil))
			if rec.Code != tt.want {
				t.Fatalf("status %d %s, want %d", rec.Code, rec.Body, tt.want)
			}
		})
	}
}
