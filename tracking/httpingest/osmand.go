package httpingest

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"siaga112/tracking/internal/connlimit"
)

// MaxOsmAndBody caps a request body: a Traccar Client JSON report is about
// 400 bytes, a form post less.
const MaxOsmAndBody = 16 << 10

// OsmAnd serves the OsmAnd protocol on a listener of its own (any path):
// GET or POST with query or form parameters, or Traccar Client's JSON body.
// The id is the unit's tracker_id, proven by the unit's device password
// (see authenticate). 200 (empty body) only when the fix was applied; 400
// names the bad parameter; 401 for a missing or wrong key and for an id no
// unit has alike; 429 when the address failed too often lately (Retry-After)
// or the unit sends too fast.
func (in *Ingest) OsmAnd() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proto, ref := in.osmAnd(w, r)
		in.c.requests[protoIx(proto)].Add(1)
		if ref != nil {
			in.refuse(w, r, proto, ref)
			return
		}
		in.accepted(proto, kindFix)
		w.WriteHeader(http.StatusOK)
	})
}

func (in *Ingest) osmAnd(w http.ResponseWriter, r *http.Request) (string, *refusal) {
	proto := ProtoOsmAnd
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		return proto, &refusal{status: http.StatusMethodNotAllowed, reason: ReasonMethod, detail: "the OsmAnd protocol uses GET or POST"}
	}
	now := in.cfg.Now()
	source := connlimit.SourceOf(r.RemoteAddr)
	if wait := in.throttle.wait(source, now); wait > 0 {
		return proto, &refusal{status: http.StatusTooManyRequests, reason: ReasonThrottled, retryAfter: wait,
			detail: "too many requests with a wrong key or an unknown id from this address; wait, then send the unit's device password as key="}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxOsmAndBody))
	if err != nil {
		if tooLarge(err) {
			return proto, &refusal{status: http.StatusRequestEntityTooLarge, reason: ReasonTooLarge, detail: "body is larger than " + strconv.Itoa(MaxOsmAndBody) + " bytes"}
		}
		return proto, &refusal{status: http.StatusBadRequest, reason: ReasonBadParam, detail: "could not read the body"}
	}
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var rep report
	var ref *refusal
	v := r.URL.Query()
	if trimmed := bytes.TrimSpace(body); ct == "application/json" || (len(trimmed) > 0 && trimmed[0] == '{') {
		proto = ProtoTraccar
		rep, ref = decodeTraccarJSON(body, now)
	} else {
		if len(body) > 0 && (ct == "" || ct == "application/x-www-form-urlencoded") {
			form, err := url.ParseQuery(string(body))
			if err != nil {
				return proto, &refusal{status: http.StatusBadRequest, reason: ReasonBadParam, detail: "the form body does not parse: " + err.Error()}
			}
			for k, vs := range v { // the body's values come first, as in net/http
				form[k] = append(form[k], vs...)
			}
			v = form
		}
		rep, ref = decodeParams(v, now)
	}
	if rep.trackerID == "" { // refused before the id was read: nobody to authenticate
		return proto, ref
	}
	// Who sent it comes before what is wrong with it: a stranger learns
	// nothing from the answer.
	unit, aref := in.authenticate(r, v, rep.trackerID)
	if aref != nil {
		in.throttle.fail(source, now)
		return proto, aref
	}
	if ref != nil {
		return proto, ref
	}
	if !in.limit.allow(unit) {
		return proto, &refusal{status: http.StatusTooManyRequests, reason: ReasonRateLimited, detail: "too many requests from this tracker; slow down"}
	}
	return proto, in.applyFix(unit, rep.fix)
}

// NewOsmAndServer is the OsmAnd listener's server, with timeouts so a slow
// or silent tracker cannot hold a connection: trackers send one small
// request at a time.
func NewOsmAndServer(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           http.TimeoutHandler(h, 10*time.Second, `{"error":"timed out"}`),
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      20 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    16 << 10,
	}
}
