package httpingest

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"siaga112/tracking/internal/lograte"
	"strconv"
	"time"

	"siaga112/tracking"
)

// Config is what the ingest is built from. Devices and Secrets serve
// OwnTracks, Trackers the OsmAnd protocol; Fleet both.
type Config struct {
	Devices  Devices
	Secrets  Secrets // may be nil: no unit has an OwnTracks secret
	Trackers Trackers
	Fleet    Fleet
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now
	// RatePerSecond and Burst bound each unit's requests (defaults 5/s,
	// burst 30: a tracker replaying a buffer after a tunnel gets through
	// quickly, a broken one looping as fast as it can does not).
	RatePerSecond float64
	Burst         int
	// Keyless takes OsmAnd requests that carry no key by their tracker id
	// alone (--osmand-keyless): anyone who knows or guesses an id can then
	// move that unit. Off by default; only for trackers that cannot send a
	// key, on a network nobody else reaches.
	Keyless bool
	// FailureLimit failed keys from one address (IPv6: one /64) within
	// FailureWindow make it wait out the window (defaults 10, 15 min).
	FailureLimit  int
	FailureWindow time.Duration
}

// Ingest serves the HTTP tracker protocols. It is a prometheus.Collector.
type Ingest struct {
	cfg      Config
	log      *slog.Logger
	limit    *limiter
	throttle *addrThrottle
	logs     *lograte.Limiter
	c        *counters
}

// New builds the ingest.
func New(cfg Config) *Ingest {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RatePerSecond <= 0 {
		cfg.RatePerSecond = 5
	}
	if cfg.Burst <= 0 {
		cfg.Burst = 30
	}
	if cfg.FailureLimit <= 0 {
		cfg.FailureLimit = DefaultFailureLimit
	}
	if cfg.FailureWindow <= 0 {
		cfg.FailureWindow = DefaultFailureWindow
	}
	return &Ingest{
		cfg:      cfg,
		log:      cfg.Logger,
		limit:    newLimiter(cfg.RatePerSecond, cfg.Burst),
		throttle: newAddrThrottle(cfg.FailureLimit, cfg.FailureWindow),
		logs:     lograte.New(10 * time.Second),
		c:        newCounters(),
	}
}

func (in *Ingest) accepted(proto, kind string) {
	in.c.accepted[protoIx(proto)][kindIx(kind)].Add(1)
}

// applyFix applies a fix and turns a fleet error into a refusal.
func (in *Ingest) applyFix(unit string, f tracking.Fix) *refusal {
	return fleetRefusal(in.cfg.Fleet.ApplyFix(unit, f))
}

func fleetRefusal(err error) *refusal {
	if err == nil {
		return nil
	}
	switch tracking.CodeOf(err) {
	case tracking.CodeNotFound:
		return &refusal{status: http.StatusNotFound, reason: ReasonUnknownID, detail: err.Error()}
	case tracking.CodeInvalid, tracking.CodeOutsideArea:
		return &refusal{status: http.StatusBadRequest, reason: ReasonRefusedFix, detail: err.Error()}
	}
	return &refusal{status: http.StatusServiceUnavailable, reason: ReasonUnavailable, detail: "the server could not apply the fix now; retry"}
}

// refuse counts, logs at a bounded rate, and answers a refusal as JSON
// {"error": sentence} (a dropped OwnTracks message as 200 []).
func (in *Ingest) refuse(w http.ResponseWriter, r *http.Request, proto string, ref *refusal) {
	in.c.refuse(proto, ref.reason)
	if held, ok := in.logs.Allow(proto + "/" + string(ref.reason)); ok {
		status := ref.status
		if ref.drop {
			status = http.StatusOK
		}
		in.log.Warn("refused tracker request", "protocol", proto, "reason", ref.reason, "status", status,
			"detail", ref.detail, "remote", r.RemoteAddr, "suppressed_since_last", held)
	}
	if ref.drop {
		answerOwnTracks(w)
		return
	}
	switch ref.status {
	case http.StatusUnauthorized:
		w.Header().Set("WWW-Authenticate", `Basic realm="siaga112", charset="UTF-8"`)
	case http.StatusTooManyRequests:
		wait := max(1, int(1/in.cfg.RatePerSecond))
		if ref.retryAfter > 0 {
			wait = int((ref.retryAfter + time.Second - 1) / time.Second) // whole seconds, rounded up
		}
		w.Header().Set("Retry-After", strconv.Itoa(wait))
	case http.StatusServiceUnavailable:
		w.Header().Set("Retry-After", "5") // every 503 says when to come back
	case http.StatusMethodNotAllowed:
		if proto == ProtoOwnTracks {
			w.Header().Set("Allow", "POST")
		} else {
			w.Header().Set("Allow", "GET, POST")
		}
	}
	writeJSON(w, ref.status, map[string]string{"error": ref.detail})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// tooLarge reports whether err is http.MaxBytesReader's.
func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}
