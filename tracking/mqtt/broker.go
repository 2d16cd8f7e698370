package mqtt

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"

	mochi "github.com/mochi-mqtt/server/v2"
	allowall "github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking/internal/connlimit"
)

// MaxPacket caps an MQTT packet on the embedded broker (bytes): a payload
// of MaxPayload plus 4 KiB for the topic, header and MQTT 5 properties.
const MaxPacket = MaxPayload + 4<<10

// BrokerConfig says how the embedded broker listens and whom it lets in.
type BrokerConfig struct {
	Listen string // host:port of plain MQTT; "" with TLSListen set: no plain listener
	// NextFreePort: when Listen's port is taken, try up to this many ports
	// above it (used when the operator did not choose the port).
	NextFreePort int
	TLSListen    string      // host:port of MQTT over TLS; "": none
	TLS          *tls.Config // certificate for TLSListen
	Limits       Limits
	// Rate and Burst limit each device's messages (per second; 0: DefaultRate
	// and DefaultBurst; a negative Rate turns the limit off).
	Rate   float64
	Burst  int
	Auth   *Auth // nil: anyone may connect and publish anything (tests)
	Logger *slog.Logger
}

// Broker is the MQTT broker embedded in the default run (mochi-mqtt).
type Broker struct {
	srv       *mochi.Server
	tcp, tls  *listener
	auth      *authHook // nil: anyone may connect (tests)
	guard     *guard
	refused   *refusals
	fileLimit uint64
}

// StartBroker listens on addr (host:port) with default limits. With auth,
// clients must present credentials (see Auth); a nil auth lets anyone in,
// for tests.
func StartBroker(addr string, logger *slog.Logger, auth *Auth) (*Broker, error) {
	return NewBroker(BrokerConfig{Listen: addr, Logger: logger, Auth: auth})
}

// NewBroker starts a broker serving MQTT 3.1.1 and 5 until Close.
func NewBroker(cfg BrokerConfig) (*Broker, error) {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	if cfg.Listen == "" && cfg.TLSListen == "" {
		return nil, errors.New("embedded broker: no listen address")
	}
	if cfg.TLSListen != "" && cfg.TLS == nil {
		return nil, errors.New("embedded broker: MQTT over TLS needs a certificate (--tls-cert, --tls-key)")
	}
	opts := &mochi.Options{
		// mochi logs every client's closed connection as a warning; keep only
		// its errors.
		Logger:       slog.New(minLevel{logger.Handler(), slog.LevelError}).With("component", "mqtt-broker").WithGroup("mochi"),
		Capabilities: mochi.NewDefaultServerCapabilities(),
		// The ingest subscribes in-process: no client id to steal, no TCP hop.
		InlineClient: true,
	}
	// A subscriber that falls this many messages behind starts losing QoS 0
	// messages; 64k absorbs a second of a 2,000-unit fleet at full rate.
	opts.Capabilities.MaximumClientWritesPending = 64 * 1024
	// An iOS location with a POI image fits; a client sending a bigger
	// packet is disconnected before it costs the broker memory.
	opts.Capabilities.MaximumPacketSize = MaxPacket
	// A kept session (cleanSession=false, as the OwnTracks apps ask) of a
	// device that never comes back is forgotten after a day.
	opts.Capabilities.MaximumSessionExpiryInterval = 24 * 60 * 60
	srv := mochi.New(opts)
	b := &Broker{srv: srv, refused: newRefusals(logger.With("component", "mqtt-broker")), fileLimit: connlimit.FileLimit()}
	limits := cfg.Limits.withDefaults()
	// The broker's share of the descriptors: the rest is the OsmAnd and
	// web ports' and the database's, so a flood on one never starves another.
	limits.MaxConns = connlimit.Cap(limits.MaxConns, b.fileLimit, connlimit.MQTT)
	b.guard = newGuard(limits, b.refused)
	var hook mochi.Hook = new(allowall.AllowHook)
	if cfg.Auth != nil {
		if cfg.Auth.AdminUser == "" {
			cfg.Auth.AdminUser = "admin"
		}
		rate, burst := cfg.Rate, cfg.Burst
		if rate == 0 {
			rate = DefaultRate
		}
		if burst == 0 {
			burst = DefaultBurst
		}
		b.auth = &authHook{auth: *cfg.Auth, srv: srv, refused: b.refused, limit: newRateLimiter(rate, burst)}
		hook = b.auth
	}
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	if cfg.Listen != "" {
		ln, err := listenFree(cfg.Listen, cfg.NextFreePort)
		if err != nil {
			return nil, fmt.Errorf("embedded MQTT broker cannot listen on %s (%w): the port is probably taken, "+
				"perhaps by another broker; choose a free one with --mqtt-listen, or use that broker with --mqtt-url tcp://host:port", cfg.Listen, err)
		}
		b.tcp = newListener("tcp", cfg.Listen, nil, b.guard)
		b.tcp.ln = ln
		if err := srv.AddListener(b.tcp); err != nil {
			ln.Close()
			return nil, fmt.Errorf("embedded broker: %w", err)
		}
	}
	if cfg.TLSListen != "" {
		b.tls = newListener("tls", cfg.TLSListen, cfg.TLS, b.guard)
		if err := srv.AddListener(b.tls); err != nil {
			if b.tcp != nil {
				b.tcp.ln.Close()
			}
			return nil, fmt.Errorf("embedded MQTT broker cannot listen for TLS on %s (%w); choose a free port with --mqtt-tls-listen", cfg.TLSListen, err)
		}
	}
	go func() {
		if err := srv.Serve(); err != nil {
			logger.Error("embedded MQTT broker stopped", "err", err)
		}
	}()
	return b, nil
}

// Addr is the address the plain listener listens on (with the real port
// when the configured one was 0 or taken); "" without one.
func (b *Broker) Addr() string {
	if b.tcp == nil {
		return ""
	}
	return b.tcp.Address()
}

// TLSAddr is the address of the TLS listener; "" without one.
func (b *Broker) TLSAddr() string {
	if b.tls == nil {
		return ""
	}
	return b.tls.Address()
}

// URL is a tcp:// URL a local client can connect to (ssl:// when the broker
// only speaks TLS).
func (b *Broker) URL() string {
	if b.tcp == nil {
		return "ssl://" + localAddr(b.TLSAddr())
	}
	return "tcp://" + localAddr(b.Addr())
}

// FileLimit is the soft RLIMIT_NOFILE in force (raised to the hard limit
// at start); the broker holds at most half of it (connlimit.MQTT).
func (b *Broker) FileLimit() uint64 { return b.fileLimit }

// Healthy reports whether every listener is accepting connections.
func (b *Broker) Healthy() error {
	for _, l := range []*listener{b.tcp, b.tls} {
		if l == nil {
			continue
		}
		if err := l.Healthy(); err != nil {
			return err
		}
	}
	return nil
}

// DisconnectUnit closes every session of the device unitID at once (its
// credentials were rotated or revoked) and returns how many were open.
// Call it after the new credentials are in force: a login whose password
// check passed before is closed here, one checked after sees the new
// password. The sessions come from the broker's own record of logins
// (takeovers included), not its client list; when DisconnectUnit returns,
// no message of theirs is applied any more.
func (b *Broker) DisconnectUnit(unitID string) int {
	if b.auth == nil {
		return 0
	}
	n := 0
	for _, s := range b.auth.revokeUnit(unitID) {
		b.refused.add(RefusedRevoked, s.cl.Net.Remote, unitID)
		n++
	}
	return n
}

// LiveLogins is how many sessions of the device unitID the broker holds
// now and has not revoked.
func (b *Broker) LiveLogins(unitID string) int {
	if b.auth == nil {
		return 0
	}
	return b.auth.logins.live(unitID)
}

// Dropped counts messages the broker threw away because a subscriber fell
// too far behind (QoS 0) or a queue overflowed: telemetry lost before the
// ingest saw it.
func (b *Broker) Dropped() int64 { return atomic.LoadInt64(&b.srv.Info.MessagesDropped) }

// Connections is how many connections the listeners hold now.
func (b *Broker) Connections() int { return b.guard.Open() }

var (
	descBrokerDropped = prometheus.NewDesc("siaga112_mqtt_broker_dropped_total",
		"Messages the embedded broker dropped because a subscriber fell behind.", nil, nil)
	descBrokerConns = prometheus.NewDesc("siaga112_mqtt_broker_connections",
		"Connections the embedded broker's listeners hold now.", nil, nil)
)

// Describe implements prometheus.Collector.
func (b *Broker) Describe(ch chan<- *prometheus.Desc) {
	ch <- descBrokerDropped
	ch <- descBrokerConns
	ch <- descRefusedConnect
	ch <- descRefusedACL
	ch <- descRefused
}

// Collect implements prometheus.Collector.
func (b *Broker) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBrokerDropped, prometheus.CounterValue, float64(b.Dropped()))
	ch <- prometheus.MustNewConstMetric(descBrokerConns, prometheus.GaugeValue, float64(b.Connections()))
	conn, acl := b.Refused()
	ch <- prometheus.MustNewConstMetric(descRefusedConnect, prometheus.CounterValue, float64(conn))
	ch <- prometheus.MustNewConstMetric(descRefusedACL, prometheus.CounterValue, float64(acl))
	for _, r := range Refusals {
		ch <- prometheus.MustNewConstMetric(descRefused, prometheus.CounterValue, float64(b.refused.count(r)), string(r))
	}
}

// Refused returns how many connections (credentials, client id, will) and
// ACL checks were refused.
func (b *Broker) Refused() (connect, acl uint64) {
	r := b.refused
	return r.count(RefusedCredentials) + r.count(RefusedClientID) + r.count(RefusedWill) + r.count(RefusedSessions), r.count(RefusedTopic)
}

// RefusedBy returns how many refusals of one reason there were.
func (b *Broker) RefusedBy(why Refusal) uint64 { return b.refused.count(why) }

// Close stops the broker and disconnects its clients.
func (b *Broker) Close() error {
	for _, l := range []*listener{b.tcp, b.tls} {
		if l != nil {
			l.shutdown()
		}
	}
	return b.srv.Close()
}

// minLevel drops records below min.
type minLevel struct {
	slog.Handler
	min slog.Level
}

func (h minLevel) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= h.min && h.Handler.Enabled(ctx, l)
}

func (h minLevel) WithAttrs(a []slog.Attr) slog.Handler {
	return minLevel{h.Handler.WithAttrs(a), h.min}
}
func (h minLevel) WithGroup(n string) slog.Handler { return minLevel{h.Handler.WithGroup(n), h.min} }
