package web

import (
	"bytes"
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/interop"
)

// The phone edge (issue 27): the SIP server (Kamailio, docs/phone) asks
// admission and reports calls with a phone token; the SMS gateway and
// phones post AML; call-takers read the caller's location.

// Phone is what the phone routes need (dispatch.Service implements it).
type Phone interface {
	Admission(number string) (dispatch.Admission, error)
	RecordCallEvent(ctx context.Context, r dispatch.CallEventReport, actor string) (dispatch.CallEventResult, error)
	RecordCallerLocation(ctx context.Context, r dispatch.CallerLocationReport, actor string) (bool, error)
	CallerLocation(ctx context.Context, number string) (tracking.CallerLocation, error)
	PhoneCalls(ctx context.Context, q tracking.CallQuery) ([]tracking.PhoneCall, error)
}

var (
	phones               = []tracking.Role{tracking.RolePhone}
	phonesAndDispatchers = []tracking.Role{tracking.RolePhone, tracking.RoleDispatcher}
)

// maxAMLForm bounds an AML HTTPS post (a real one is a few hundred bytes).
const maxAMLForm = 8 << 10

// phoneRoutes serves the phone edge's routes when Dispatch has them.
func (s *Server) phoneRoutes(mux routeRecorder, d Dispatch) {
	p, ok := d.(Phone)
	if !ok {
		return
	}
	s.phone = p
	mux.HandleFunc("GET /api/callers/{number}/admission", s.guard(phonesAndDispatchers, s.admission))
	mux.HandleFunc("POST /api/calls/events", s.guard(phones, s.callEvent))
	mux.HandleFunc("POST /api/aml/sms", s.guard(phones, s.amlSMS))
	mux.HandleFunc("POST /api/aml", s.guard(phones, s.amlHTTPS))
	mux.HandleFunc("GET /api/callers/{number}/location", s.guard(dispatchers, s.callerLocation))
}

// admission answers GET /api/callers/{number}/admission from memory.
func (s *Server) admission(w http.ResponseWriter, r *http.Request) {
	a, err := s.phone.Admission(r.PathValue("number"))
	if err != nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "path parameter \"number\": %v", err))
		return
	}
	writeJSON(w, http.StatusOK, a)
}

type callEventBody struct {
	CallID string `json:"call_id"`
	Number string `json:"number"`
	Event  string `json:"event"`
	Reason string `json:"reason"`
	At     string `json:"at"`
}

// callEvent answers POST /api/calls/events: 202 with the call after the
// event (a repeated event changes nothing and is 202 too).
func (s *Server) callEvent(w http.ResponseWriter, r *http.Request) {
	var b callEventBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.phone.RecordCallEvent(r.Context(), dispatch.CallEventReport{CallID: b.CallID, Number: b.Number, Event: b.Event, Reason: b.Reason, At: b.At}, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, out)
}

// amlAnswer is the answer to an AML post.
type amlAnswer struct {
	Located   bool   `json:"located"`
	Reason    string `json:"reason,omitempty"`
	Version   string `json:"version,omitempty"`
	Persisted bool   `json:"persisted"`
}

// mediaType refuses a body that is not of type want (415).
func mediaType(r *http.Request, want string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return tracking.Errorf(tracking.CodeUnsupportedType, "the body must be %s, not %q", want, truncate(r.Header.Get("Content-Type"), 60))
	}
	return nil
}

// readLimited reads at most limit bytes of the body; more is 413.
func readLimited(r *http.Request, limit int64, what string) ([]byte, error) {
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the body could not be read")
	}
	if int64(len(body)) > limit {
		return nil, tracking.Errorf(tracking.CodeTooLarge, "%s is larger than %d bytes", what, limit)
	}
	return body, nil
}

// amlSMS answers POST /api/aml/sms?number=<sender> with the SMS's text.
func (s *Server) amlSMS(w http.ResponseWriter, r *http.Request) {
	if err := mediaType(r, "text/plain"); err != nil {
		s.writeError(w, r, err)
		return
	}
	number, err := tracking.NormalizePhone(r.URL.Query().Get("number"))
	if err != nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "query parameter \"number\" (the SMS's sender): %v", err))
		return
	}
	// The trailing CR/LF a gateway adds is not the message's.
	body, err := readLimited(r, interop.MaxAMLSMS+2, "the SMS")
	if tracking.CodeOf(err) == tracking.CodeTooLarge || len(strings.TrimRight(string(body), "\r\n")) > interop.MaxAMLSMS {
		err = tracking.Errorf(tracking.CodeTooLarge, "the SMS is larger than %d bytes (2 KiB)", interop.MaxAMLSMS)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := smsText(body); err != nil {
		s.writeError(w, r, err)
		return
	}
	now := s.now().UTC()
	a, err := interop.ParseAMLSMS(string(body), now)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	rep := dispatch.CallerLocationReport{Raw: &tracking.RawAML{Number: number, Source: tracking.SourceAMLSMS, Version: a.Version, Text: a.Raw, ReceivedAt: now}}
	if a.Located {
		l := a.Location
		l.Number = number
		rep.Location = &l
	}
	persisted, err := s.phone.RecordCallerLocation(r.Context(), rep, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, amlAnswer{Located: a.Located, Reason: a.Reason, Version: a.Version, Persisted: persisted})
}

// amlHTTPS answers POST /api/aml (the AML HTTPS form): 202 when it placed
// the caller, else 200 {"located":false,"reason"}, as the specification
// asks (every post succeeds).
func (s *Server) amlHTTPS(w http.ResponseWriter, r *http.Request) {
	if err := mediaType(r, "application/x-www-form-urlencoded"); err != nil {
		s.writeError(w, r, err)
		return
	}
	body, err := readLimited(r, maxAMLForm, "the AML form")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "the body is no form (application/x-www-form-urlencoded): %v", err))
		return
	}
	a := interop.ParseAMLHTTPS(form, s.now().UTC())
	if !a.Located {
		writeJSON(w, http.StatusOK, amlAnswer{Located: false, Reason: a.Reason, Version: a.Version, Persisted: true})
		return
	}
	l := a.Location
	persisted, err := s.phone.RecordCallerLocation(r.Context(), dispatch.CallerLocationReport{Location: &l}, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusAccepted, amlAnswer{Located: true, Version: a.Version, Persisted: persisted})
}

// callerLocation answers GET /api/callers/{number}/location: the newest
// fix of the last 24 h, or 404.
func (s *Server) callerLocation(w http.ResponseWriter, r *http.Request) {
	l, err := s.phone.CallerLocation(r.Context(), r.PathValue("number"))
	if err != nil {
		if tracking.CodeOf(err) == tracking.CodeInvalid {
			err = tracking.Errorf(tracking.CodeInvalid, "path parameter \"number\": %v", err)
		}
		err = unreadable(err)
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, l)
}

// callList is GET /api/calls's answer: the logged calls and the phone
// system's calls by their first event, oldest first, at most limit. A
// logged call that classifies a phone call is that call's outcome, not an
// entry of its own.
func (s *Server) callList(ctx context.Context, q tracking.CallQuery, calls []tracking.Call) ([]any, error) {
	var pcs []tracking.PhoneCall
	if s.phone != nil {
		var err error
		if pcs, err = s.phone.PhoneCalls(ctx, q); err != nil {
			return nil, unreadable(err)
		}
	}
	type entry struct {
		at time.Time
		v  any
	}
	es := make([]entry, 0, len(calls)+len(pcs))
	for _, c := range calls {
		if c.CallID == "" {
			es = append(es, entry{c.At, c})
		}
	}
	for _, c := range pcs {
		es = append(es, entry{c.At, c})
	}
	slices.SortStableFunc(es, func(a, b entry) int { return a.at.Compare(b.at) })
	if q.Limit > 0 && len(es) > q.Limit {
		es = es[:q.Limit]
	}
	out := make([]any, len(es))
	for i, e := range es {
		out[i] = e.v
	}
	return out, nil
}

// unreadable makes a store's uncoded failure (the database unreachable) a
// 503 that says so; the driver's words go to the log only.
func unreadable(err error) error {
	if tracking.CodeOf(err) != "" {
		return err
	}
	return errors.Join(tracking.Errorf(tracking.CodeUnavailable, "the database cannot be read now; try again in a moment"), err)
}

// smsText refuses an SMS body that is no text: bytes that are not UTF-8,
// or control characters other than the line ends a gateway adds (the
// message is kept as received, and the database takes text only).
func smsText(b []byte) error {
	if !utf8.Valid(b) {
		return tracking.Errorf(tracking.CodeInvalid, "the SMS is not UTF-8 text")
	}
	if i := bytes.IndexFunc(b, func(r rune) bool { return unicode.IsControl(r) && r != '\r' && r != '\n' }); i >= 0 {
		return tracking.Errorf(tracking.CodeInvalid, "the SMS holds a control character at byte %d", i)
	}
	return nil
}
