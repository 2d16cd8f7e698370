package mqtt

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"siaga112/tracking/internal/lograte"
	"sync"
	"sync/atomic"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"

	"siaga112/tracking"
)

// Fleet is what the ingest needs of the units service (units.Service is
// one): it applies fixes and crew status to the live index and persists
// them without waiting for the database.
type Fleet interface {
	ApplyFix(id string, p tracking.Position) (tracking.UpdateOutcome, error)
	SetStatus(id string, st tracking.Status, at time.Time) (tracking.UpdateOutcome, error)
	// MarkOfflineIf records a last will when cond holds for the unit,
	// atomically with its fixes.
	MarkOfflineIf(id string, cond func(tracking.Unit) bool) (bool, error)
	Has(id string) bool
}

// Regions records OwnTracks transitions as the unit's region events
// (units.Service is one). It must not wait for the database.
type Regions interface {
	RecordRegionEvent(e tracking.RegionEvent) error
}

// Secrets gives a unit's OwnTracks payload passphrase, nil when none is set.
type Secrets interface {
	OwnTracksSecret(unitID string) []byte
}

// Config says where the broker is and who we are on it.
type Config struct {
	// Broker, when set, is the embedded broker: the ingest subscribes
	// in-process and URL, ClientID, Username and Password are unused.
	Broker   *Broker
	URL      string // tcp://host:port
	ClientID string // prefix of the client id; a random suffix is added to each connection's
	Username string
	Password string
	Logger   *slog.Logger
	Now      func() time.Time // default time.Now
	// Regions records transitions; nil: they are acknowledged and ignored.
	Regions Regions
	// Secrets opens encrypted payloads; nil: they are refused (no_secret).
	Secrets Secrets
}

// Ingest subscribes to the telemetry topics and applies what arrives to the
// fleet. Through paho, messages are handled one at a time in arrival order;
// in-process on the embedded broker, each device connection's messages are
// handled in its own goroutine, in order, and connections concurrently
// (Handle is safe for that). Either way a unit's fixes are applied in the
// order its tracker sent them.
type Ingest struct {
	cfg    Config
	fleet  Fleet
	log    *slog.Logger
	client paho.Client
	limit  *lograte.Limiter

	connected  atomic.Bool
	generation atomic.Uint64 // counts connections, so a stale subscribe loop stops
	received   atomic.Uint64
	applied    atomic.Uint64
	history    atomic.Uint64
	ignored    atomic.Uint64
	regions    atomic.Uint64
	reconnects atomic.Uint64
	rejected   [numReasons]atomic.Uint64

	// fixLogins: unit → *atomic.Uint64, the newest embedded-broker login
	// a fix of the unit came from (see lastWill).
	fixLogins sync.Map
}

// SubscribeQoS is the QoS we ask of the broker. QoS 1 lets crew status and
// trackers that publish at QoS 1 (the OwnTracks default) arrive at least
// once; fixes published at QoS 0 still arrive at QoS 0.
const SubscribeQoS = 1

// NewIngest prepares an ingest; Start connects it.
func NewIngest(cfg Config, f Fleet) *Ingest {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ClientID == "" {
		cfg.ClientID = "siaga112-ingest"
	}
	in := &Ingest{cfg: cfg, fleet: f, log: cfg.Logger.With("component", "mqtt-ingest"), limit: lograte.New(time.Second)}
	if cfg.Broker != nil {
		return in
	}
	opts := paho.NewClientOptions().
		AddBroker(cfg.URL).
		SetClientID(randomClientID(cfg.ClientID)).
		SetUsername(cfg.Username).
		SetPassword(cfg.Password).
		// A clean session each time: we resubscribe on every connect, and a
		// stale queue of old fixes is worth less than a fresh picture.
		SetCleanSession(true).
		SetOrderMatters(true).
		SetAutoReconnect(true).
		SetConnectRetry(true).
		SetConnectRetryInterval(time.Second).
		SetMaxReconnectInterval(2 * time.Second).
		SetKeepAlive(10 * time.Second).
		SetPingTimeout(5 * time.Second).
		// A broker that accepts TCP but never answers CONNECT (one shutting
		// down) must not hold a reconnect for long.
		SetConnectTimeout(2 * time.Second).
		SetOnConnectHandler(in.onConnect).
		SetConnectionLostHandler(func(_ paho.Client, err error) {
			in.connected.Store(false)
			in.log.Warn("lost the MQTT broker; reconnecting", "broker", cfg.URL, "err", err)
		}).
		SetReconnectingHandler(func(_ paho.Client, o *paho.ClientOptions) {
			// A fresh, unguessable client id for each connection: the
			// broker's clean-up of the old session (same id) can otherwise
			// race the new session's subscriptions, and a predictable id
			// lets any client with a login kick the ingest off.
			in.reconnects.Add(1)
			o.SetClientID(randomClientID(cfg.ClientID))
		})
	in.client = paho.NewClient(opts)
	return in
}

// Start connects and subscribes, waiting until the first subscription holds
// or ctx ends. When the broker is not there yet, the client keeps trying in
// the background; Start returns the context's error in that case.
func (in *Ingest) Start(ctx context.Context) error {
	if b := in.cfg.Broker; b != nil {
		return in.startInline(b)
	}
	tok := in.client.Connect()
	select {
	case <-tok.Done():
		if err := tok.Error(); err != nil {
			return fmt.Errorf("connect to MQTT broker %s: %w", in.cfg.URL, err)
		}
	case <-ctx.Done():
		return fmt.Errorf("connect to MQTT broker %s: %w", in.cfg.URL, ctx.Err())
	}
	for !in.connected.Load() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("subscribe on MQTT broker %s: %w", in.cfg.URL, ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
	return nil
}

func (in *Ingest) onConnect(c paho.Client) {
	// Resubscribe on every (re)connect: with a clean session the broker
	// forgot us. Until the subscription holds, the ingest is not connected
	// (/healthz says 503) and keeps trying; it never gives up and stays
	// deaf, and never drops the connection (auto-reconnect would not follow).
	in.connected.Store(false)
	gen := in.generation.Add(1)
	go func() {
		backoff := 250 * time.Millisecond
		for in.generation.Load() == gen && c.IsConnectionOpen() {
			filters := map[string]byte{}
			for _, f := range Topics {
				filters[f] = SubscribeQoS
			}
			tok := c.SubscribeMultiple(filters, in.onMessage)
			if tok.WaitTimeout(10*time.Second) && tok.Error() == nil && subscribed(tok) {
				if in.generation.Load() == gen {
					in.connected.Store(true)
					in.log.Info("subscribed to telemetry", "broker", in.cfg.URL, "topics", Topics)
				}
				return
			}
			err := tok.Error()
			if err == nil {
				err = errors.New("the broker refused or did not answer the subscription")
			}
			in.log.Error("subscribe failed; retrying", "broker", in.cfg.URL, "err", err, "retry_in", backoff)
			time.Sleep(backoff)
			backoff = min(2*backoff, 5*time.Second)
		}
	}()
}

// subscribed reports whether the broker granted every filter (a SUBACK
// code 0x80 is a refusal that paho does not report as an error).
func subscribed(tok paho.Token) bool {
	st, ok := tok.(*paho.SubscribeToken)
	if !ok {
		return true
	}
	for _, code := range st.Result() {
		if code >= 0x80 {
			return false
		}
	}
	return true
}

func randomClientID(prefix string) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return prefix + "-" + hex.EncodeToString(b[:])
}

// startInline subscribes in-process on the embedded broker. Messages are
// handled in the publishing client's goroutine, one client's in order.
func (in *Ingest) startInline(b *Broker) error {
	handler := func(_ *mochi.Client, _ packets.Subscription, pk packets.Packet) {
		in.handleInline(b, pk)
	}
	for i, filter := range Topics {
		if err := b.srv.Subscribe(filter, inlineSubID+i, handler); err != nil {
			return fmt.Errorf("subscribe in-process to %s: %w", filter, err)
		}
	}
	in.connected.Store(true)
	in.log.Info("subscribed in-process to the embedded broker", "topics", Topics)
	return nil
}

// inlineSubID numbers the ingest's in-process subscriptions.
const inlineSubID = 112

// Connected reports whether the ingest is connected and subscribed.
func (in *Ingest) Connected() bool {
	if in.cfg.Broker != nil {
		return in.connected.Load() && in.cfg.Broker.Healthy() == nil
	}
	return in.connected.Load() && in.client.IsConnectionOpen()
}

// Close disconnects, letting in-flight work finish for up to 250 ms.
func (in *Ingest) Close() {
	if b := in.cfg.Broker; b != nil {
		if in.connected.Swap(false) {
			for i, filter := range Topics {
				_ = b.srv.Unsubscribe(filter, inlineSubID+i)
			}
		}
		return
	}
	in.generation.Add(1)
	in.client.Disconnect(250)
	in.connected.Store(false)
}
