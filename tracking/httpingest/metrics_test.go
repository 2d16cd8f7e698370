package httpingest

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The collector shows every protocol × reason, zeros included, and counts a
// refusal under its own labels.
func TestMetrics(t *testing.T) {
	in := newIngest(newWorld())
	reg := prometheus.NewPedanticRegistry()
	if err := reg.Register(in); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	in.OsmAnd().ServeHTTP(rec, httptest.NewRequest("GET", "/?id=nobody&lat=-6.1&lon=106.1", nil))
	if rec.Code != 401 {
		t.Fatalf("status %d", rec.Code)
	}
	want := `
# HELP siaga112_http_ingest_requests_total Tracker requests received over HTTP, by protocol.
# TYPE siaga112_http_ingest_requests_total counter
siaga112_http_ingest_requests_total{protocol="osmand"} 1
siaga112_http_ingest_requests_total{protocol="owntracks_http"} 0
siaga112_http_ingest_requests_total{protocol="traccar_json"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "siaga112_http_ingest_requests_total"); err != nil {
		t.Fatal(err)
	}
	if n := testutil.CollectAndCount(in, "siaga112_http_ingest_refused_total"); n != len(protocols)*len(Reasons) {
		t.Fatalf("%d refused series, want %d", n, len(protocols)*len(Reasons))
	}
	if in.Refused(ProtoOsmAnd, ReasonUnauthorized) != 1 {
		t.Fatal("an unknown id is not counted as unauthorized")
	}
}
