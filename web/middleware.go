package web

import (
	"bufio"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/klauspost/compress/gzhttp"
	"github.com/prometheus/client_golang/prometheus"
)

// httpMetrics times every answer by the route pattern that served it and
// its status class; unknown paths share one label so a scanner cannot
// grow the series without bound.
type httpMetrics struct {
	duration *prometheus.HistogramVec
	// byRoute holds each served pattern's histograms by status class, each
	// made on first use (a series appears once answered, as before). The
	// map is read-only once the server is built, so a request pays one map
	// read and an atomic load instead of the vector's label hash and lock.
	byRoute map[string]*routeObservers
}

// routeObservers are one route's histograms by statusClassIndex.
type routeObservers [len(statusClasses) + 1]atomic.Pointer[prometheus.Observer]

// prepare makes room for the routes' histograms; call it before serving.
func (m *httpMetrics) prepare(routes []string) {
	m.byRoute = make(map[string]*routeObservers, len(routes))
	for _, r := range routes {
		m.byRoute[r] = new(routeObservers)
	}
}

// observer is the histogram of route and the status class of code.
func (m *httpMetrics) observer(route string, code int) prometheus.Observer {
	class := statusClassIndex(code)
	ro := m.byRoute[route]
	if ro == nil {
		return m.duration.WithLabelValues(route, statusClassName(class))
	}
	if o := ro[class].Load(); o != nil {
		return *o
	}
	o := m.duration.WithLabelValues(route, statusClassName(class))
	ro[class].Store(&o)
	return o
}

func newHTTPMetrics() *httpMetrics {
	return &httpMetrics{duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "siaga112_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route pattern and status class (2xx, 4xx, …); the live feed counts its upgrade only.",
		Buckets: prometheus.ExponentialBucketsRange(20e-6, 10, 16),
	}, []string{"route", "code"})}
}

var statusClasses = [...]string{"1xx", "2xx", "3xx", "4xx", "5xx"}

// statusClassIndex is the index of code's class in statusClasses, or
// len(statusClasses) for "other".
func statusClassIndex(code int) int {
	if i := code/100 - 1; i >= 0 && i < len(statusClasses) {
		return i
	}
	return len(statusClasses)
}

func statusClassName(i int) string {
	if i < len(statusClasses) {
		return statusClasses[i]
	}
	return "other"
}

// recorder notes the status a handler answers with. It keeps the writer's
// optional powers: flushing (the live feed), hijacking (its WebSocket
// upgrade) and Unwrap for http.ResponseController.
type recorder struct {
	http.ResponseWriter
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (r *recorder) Flush() {
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if r.status == 0 {
		r.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(r.ResponseWriter).Hijack()
}

var recorders = sync.Pool{New: func() any { return new(recorder) }}

// measure wraps next with the duration histogram. The mux writes the
// matched pattern into the request it is given, so it is read afterwards.
func (m *httpMetrics) measure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := recorders.Get().(*recorder)
		rec.ResponseWriter, rec.status = w, 0
		next.ServeHTTP(rec, r)
		route := r.Pattern
		if route == "" || strings.HasSuffix(route, " /api/") { // no route, or an API catch-all
			route = "unmatched"
		}
		m.observer(route, max(rec.status, 200)).Observe(time.Since(start).Seconds())
		rec.ResponseWriter = nil
		recorders.Put(rec)
	})
}

// compress gzips answers for clients that accept it (API and static
// files; tiny answers stay plain), except the live feed's WebSocket, which
// must reach the client unwrapped.
func compress(next http.Handler) (http.Handler, error) {
	wrap, err := gzhttp.NewWrapper(gzhttp.MinSize(gzipMinSize), gzhttp.ContentTypes(compressible))
	if err != nil {
		return nil, err
	}
	gz := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/live" || !strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			next.ServeHTTP(w, r)
			return
		}
		gz.ServeHTTP(w, r)
	}), nil
}

// gzipMinSize: below a packet's worth, gzip saves nothing worth its time.
const gzipMinSize = 1400

// compressible are the content types worth gzipping (images are already
// compressed).
var compressible = []string{
	"application/json", "application/geo+json", "application/javascript", "text/javascript",
	"text/css", "text/html", "text/plain", "text/csv", "image/svg+xml", "application/openmetrics-text",
}
