package mqtt

import (
	"fmt"
	"log/slog"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/hooks/auth"
	"github.com/mochi-mqtt/server/v2/listeners"
)

// Broker is the MQTT broker embedded in the default run (mochi-mqtt).
type Broker struct {
	srv *mochi.Server
	tcp *listeners.TCP
}

// StartBroker listens on addr (host:port) and serves MQTT 3.1.1 and 5 until
// Close. Anonymous clients are allowed for now: device credentials come with
// the security work.
func StartBroker(addr string, logger *slog.Logger) (*Broker, error) {
	if logger == nil {
		logger = slog.Default()
	}
	opts := &mochi.Options{
		// mochi is chatty at info (a line per client); keep its warnings.
		Logger:       logger.With("component", "mqtt-broker").WithGroup("mochi"),
		Capabilities: mochi.NewDefaultServerCapabilities(),
	}
	// A subscriber that falls this many messages behind starts losing QoS 0
	// messages; 64k absorbs a second of a 2,000-unit fleet at full rate.
	opts.Capabilities.MaximumClientWritesPending = 64 * 1024
	srv := mochi.New(opts)
	if err := srv.AddHook(new(auth.AllowHook), nil); err != nil {
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
	return &Broker{srv: srv, tcp: tcp}, nil
}

// Addr is the address the broker listens on (with the real port when the
// configured one was 0).
func (b *Broker) Addr() string { return b.tcp.Address() }

// URL is a tcp:// URL a local client can connect to.
func (b *Broker) URL() string { return "tcp://" + localAddr(b.Addr()) }

// Close stops the broker and disconnects its clients.
func (b *Broker) Close() error { return b.srv.Close() }
