package mqtt

import (
	"context"
	"fmt"
	"log/slog"
	"sync/atomic"

	mochi "github.com/mochi-mqtt/server/v2"
	allowall "github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
	"github.com/prometheus/client_golang/prometheus"
)

// MaxPacket caps an MQTT packet on the embedded broker (bytes).
const MaxPacket = 64 << 10

// Broker is the MQTT broker embedded in the default run (mochi-mqtt).
type Broker struct {
	srv  *mochi.Server
	tcp  *listeners.TCP
	auth *authHook // nil: anyone may connect (tests)
}

// StartBroker listens on addr (host:port) and serves MQTT 3.1.1 and 5 until
// Close. With auth, clients must present credentials (see Auth); a nil auth
// lets anyone in, for tests.
func StartBroker(addr string, logger *slog.Logger, auth *Auth) (*Broker, error) {
	if logger == nil {
		logger = slog.Default()
	}
	opts := &mochi.Options{
		// mochi logs every client's closed connection as a warning; keep only
		// its errors.
		Logger:       slog.New(minLevel{logger.Handler(), slog.LevelError}).With("component", "mqtt-broker").WithGroup("mochi"),
		Capabilities: mochi.NewDefaultServerCapabilities(),
	}
	// A subscriber that falls this many messages behind starts losing QoS 0
	// messages; 64k absorbs a second of a 2,000-unit fleet at full rate.
	opts.Capabilities.MaximumClientWritesPending = 64 * 1024
	// No telemetry message comes near this; a client sending a bigger
	// packet is disconnected before it costs the broker memory.
	opts.Capabilities.MaximumPacketSize = MaxPacket
	srv := mochi.New(opts)
	b := &Broker{srv: srv}
	var hook mochi.Hook = new(allowall.AllowHook)
	if auth != nil {
		if auth.AdminUser == "" {
			auth.AdminUser = "admin"
		}
		b.auth = &authHook{auth: *auth}
		hook = b.auth
	}
	if err := srv.AddHook(hook, nil); err != nil {
		return nil, fmt.Errorf("embedded broker: %w", err)
	}
	tcp := listeners.NewTCP(listeners.Config{ID: "tcp", Address: addr})
	if err := srv.AddListener(tcp); err != nil {
		return nil, fmt.Errorf("embedded MQTT broker cannot listen on %s (%w): the port is probably taken, "+
			"perhaps by another broker; choose a free one with --mqtt-listen, or use that broker with --mqtt-url tcp://host:port", addr, err)
	}
	go func() {
		if err := srv.Serve(); err != nil {
			logger.Error("embedded MQTT broker stopped", "err", err)
		}
	}()
	b.tcp = tcp
	return b, nil
}

// Addr is the address the broker listens on (with the real port when the
// configured one was 0).
func (b *Broker) Addr() string { return b.tcp.Address() }

// URL is a tcp:// URL a local client can connect to.
func (b *Broker) URL() string { return "tcp://" + localAddr(b.Addr()) }

// Dropped counts messages the broker threw away because a subscriber fell
// too far behind (QoS 0) or a queue overflowed: telemetry lost before the
// ingest saw it.
func (b *Broker) Dropped() int64 { return atomic.LoadInt64(&b.srv.Info.MessagesDropped) }

var descBrokerDropped = prometheus.NewDesc("siaga112_mqtt_broker_dropped_total",
	"Messages the embedded broker dropped because a subscriber fell behind.", nil, nil)

// Describe implements prometheus.Collector.
func (b *Broker) Describe(ch chan<- *prometheus.Desc) {
	ch <- descBrokerDropped
	ch <- descRefusedConnect
	ch <- descRefusedACL
}

// Collect implements prometheus.Collector.
func (b *Broker) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descBrokerDropped, prometheus.CounterValue, float64(b.Dropped()))
	var conn, acl uint64
	if b.auth != nil {
		conn, acl = b.auth.refusedConnect.Load(), b.auth.refusedACL.Load()
	}
	ch <- prometheus.MustNewConstMetric(descRefusedConnect, prometheus.CounterValue, float64(conn))
	ch <- prometheus.MustNewConstMetric(descRefusedACL, prometheus.CounterValue, float64(acl))
}

// Refused returns how many connections and ACL checks were refused.
func (b *Broker) Refused() (connect, acl uint64) {
	if b.auth == nil {
		return 0, 0
	}
	return b.auth.refusedConnect.Load(), b.auth.refusedACL.Load()
}

// Close stops the broker and disconnects its clients.
func (b *Broker) Close() error { return b.srv.Close() }

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
