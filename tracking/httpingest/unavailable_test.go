package httpingest

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
)

// Issue 22 (13): every 503 says when to come back (Retry-After, whole
// seconds): a tracker's retry loop then waits instead of hammering.
func TestEvery503SaysRetryAfter(t *testing.T) {
	for _, tt := range []struct {
		name string
		req  func(base string) *http.Request
		h    func(*Ingest) http.Handler
	}{
		{"OwnTracks HTTP", func(base string) *http.Request {
			r, _ := http.NewRequest("POST", base+"/pub", strings.NewReader(`{"_type":"location","lat":-6.12,"lon":106.15,"tst":1764201600}`))
			r.SetBasicAuth("AMB-01", "s3cret")
			return r
		}, (*Ingest).OwnTracks},
		{"OsmAnd", func(base string) *http.Request {
			r, _ := http.NewRequest("GET", base+"/?id=356938035643809&key=s3cret&lat=-6.12&lon=106.15&timestamp=1764201600", nil)
			return r
		}, (*Ingest).OsmAnd},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld()
			w.fleetErr = io.ErrUnexpectedEOF // the fleet fails: retry later
			srv := httptest.NewServer(tt.h(newIngest(w)))
			defer srv.Close()
			resp, err := http.DefaultClient.Do(tt.req(srv.URL))
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); resp.StatusCode != 503 || err != nil || n < 1 {
				t.Fatalf("%d with Retry-After %q; want 503 with whole seconds", resp.StatusCode, resp.Header.Get("Retry-After"))
			}
		})
	}
}
