package mqtt

import (
	"log/slog"
	"siaga112/tracking/internal/lograte"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Refusal says why the embedded broker refused a connection or a message.
// Each is a metric label of siaga112_mqtt_refused_total.
type Refusal string

const (
	RefusedCredentials    Refusal = "credentials"     // no, unknown or wrong username/password
	RefusedClientID       Refusal = "client_id"       // the client id names another unit or the server, or is another user's session
	RefusedWill           Refusal = "will"            // a will on a topic the device may not publish to
	RefusedTopic          Refusal = "topic"           // a publish to another unit's topic, or a subscription
	RefusedRateLimit      Refusal = "rate_limit"      // over the device's message rate: dropped
	RefusedConnCap        Refusal = "conn_cap"        // the broker's connection cap is reached
	RefusedAddrCap        Refusal = "addr_cap"        // the source address's connection cap is reached
	RefusedConnectTimeout Refusal = "connect_timeout" // no CONNECT within the timeout
	RefusedRevoked        Refusal = "revoked"         // the device's credentials changed: its session was closed
	RefusedSessions       Refusal = "sessions"        // the device holds MaxSessionsPerDevice sessions already
)

// Refusals lists every refusal reason, so metrics show zeros too.
var Refusals = []Refusal{RefusedCredentials, RefusedClientID, RefusedWill, RefusedTopic, RefusedRateLimit,
	RefusedConnCap, RefusedAddrCap, RefusedConnectTimeout, RefusedRevoked, RefusedSessions}

// refusals counts refusals by reason and logs them at a bounded rate (one
// line per reason a second, with how many were held back), so an operator
// sees an attack without the log becoming one.
type refusals struct {
	log    *slog.Logger
	limit  *lograte.Limiter
	counts [10]atomic.Uint64
}

func newRefusals(log *slog.Logger) *refusals {
	return &refusals{log: log, limit: lograte.New(time.Second)}
}

func (r *refusals) add(why Refusal, addr, unit string) {
	for i, x := range Refusals {
		if x == why {
			r.counts[i].Add(1)
		}
	}
	if r.log == nil {
		return
	}
	if held, ok := r.limit.Allow(string(why)); ok {
		attrs := []any{"reason", why, "addr", addr, "suppressed_since_last", held}
		if unit != "" {
			attrs = append(attrs, "unit", quote(unit))
		}
		r.log.Warn("MQTT broker refused", attrs...)
	}
}

// count returns how many refusals of why there were.
func (r *refusals) count(why Refusal) uint64 {
	for i, x := range Refusals {
		if x == why {
			return r.counts[i].Load()
		}
	}
	return 0
}

var descRefused = prometheus.NewDesc("siaga112_mqtt_refused_total",
	"Connections and messages the embedded broker refused or dropped, by reason.", []string{"reason"}, nil)
