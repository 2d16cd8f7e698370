package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
)

// statusByCode is the one place where domain error codes become HTTP statuses.
var statusByCode = map[tracking.Code]int{
	tracking.CodeInvalid:         http.StatusBadRequest,
	tracking.CodeNotFound:        http.StatusNotFound,
	tracking.CodeConflict:        http.StatusConflict,
	tracking.CodeOutsideArea:     http.StatusUnprocessableEntity,
	tracking.CodeForbidden:       http.StatusForbidden,
	tracking.CodeUnauthenticated: http.StatusUnauthorized,
	tracking.CodeTooMany:         http.StatusTooManyRequests,
	tracking.CodeUnavailable:     http.StatusServiceUnavailable,
	tracking.CodeTooLarge:        http.StatusRequestEntityTooLarge,
	tracking.CodeUnsupportedType: http.StatusUnsupportedMediaType,
}

type errorBody struct {
	Error string `json:"error"`
}

// writeError answers with the status the error's code calls for and its
// sentence. Uncoded errors are internal: logged in full, answered vaguely.
// A 503 answers with its own sentence only: what it wraps (a driver's
// error naming the database's user, host and port) goes to the log.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, ok := statusByCode[tracking.CodeOf(err)]
	msg := err.Error()
	if !ok {
		status = http.StatusInternalServerError
		msg = "internal error; the server log has the details"
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	if status == http.StatusServiceUnavailable {
		var coded *tracking.Error
		errors.As(err, &coded)
		if msg = coded.Message; msg != err.Error() {
			s.log.Warn("service unavailable", "method", r.Method, "path", r.URL.Path, "err", err)
		}
		if w.Header().Get("Retry-After") == "" {
			wait := tracking.RetryAfterOf(err)
			if wait == 0 {
				wait = unavailableRetry
			}
			w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(wait)))
		}
	}
	if status == http.StatusTooManyRequests && w.Header().Get("Retry-After") == "" {
		// Every 429 says when to come back (RFC 9110 §10.2.3), in whole seconds.
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(tracking.RetryAfterOf(err))))
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="siaga112"`)
	}
	writeJSON(w, status, errorBody{Error: msg})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	switch v.(type) {
	case *geojson.FeatureCollection, *geojson.Feature:
		w.Header()["Content-Type"] = geoJSONType
	default:
		w.Header()["Content-Type"] = jsonType
	}
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// maxBody caps a request body; no write request of the API needs more.
const maxBody = 64 << 10

// decodeBody reads a JSON object strictly: unknown fields, trailing data,
// wrong types and text with control characters or over its limit
// (checkText) are refused with a sentence naming what is wrong. The
// Content-Type is not checked, so a plain `curl -d` works.
func decodeBody(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return bodyError(err)
	}
	if err := dec.Decode(&struct{}{}); !errors.Is(err, io.EOF) {
		return tracking.Errorf(tracking.CodeInvalid, "the body holds more than one JSON object")
	}
	return checkText(v)
}

func bodyError(err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var big *http.MaxBytesError
	switch {
	case errors.Is(err, io.EOF):
		return tracking.Errorf(tracking.CodeInvalid, "the body is empty; a JSON object is expected")
	case errors.As(err, &syn):
		return tracking.Errorf(tracking.CodeInvalid, "the body is not valid JSON (at byte %d)", syn.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return tracking.Errorf(tracking.CodeInvalid, "the body must be a JSON object, not a %s", typ.Value)
		}
		return tracking.Errorf(tracking.CodeInvalid, "field %q must be a %s, not a %s", typ.Field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.As(err, &big):
		return tracking.Errorf(tracking.CodeInvalid, "the body is larger than %d bytes", big.Limit)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return tracking.Errorf(tracking.CodeInvalid, "unknown field %s in the body", strings.TrimPrefix(err.Error(), "json: unknown field "))
	case errors.Is(err, io.ErrUnexpectedEOF):
		return tracking.Errorf(tracking.CodeInvalid, "the body ends in the middle of the JSON")
	}
	return fmt.Errorf("read body: %w", err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "float64", "float32", "int", "int64":
		return "number"
	case "bool":
		return "boolean"
	case "slice":
		return "list"
	}
	return "JSON " + goKind
}

// requestLogger logs at debug level, so an operator can turn it on.
func requestLogger(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Enabled first: building the arguments allocates even when off.
		if log.Enabled(r.Context(), slog.LevelDebug) {
			log.Debug("request", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		}
		next.ServeHTTP(w, r)
	})
}

// unavailableRetry is the Retry-After of a 503 that names no wait of its
// own (RFC 9110 §10.2.3: every 503 says when to come back): a capacity
// limit or an outage is not over in a second, and clients that retry at
// once only deepen it.
const unavailableRetry = 5 * time.Second

// retrySeconds rounds a wait up to whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	return max(1, int((d+time.Second-1)/time.Second))
}
