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
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
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

func (in *Ingest) onMessage(_ paho.Client, m paho.Message) {
	in.handle(m.Topic(), m.Payload(), origin{retained: m.Retained()})
}

// origin is what the ingest knows of where a message came from.
type origin struct {
	// login is the embedded broker's login (session) that sent it (0: not
	// a device on the embedded broker).
	login uint64
	// retained: an external broker replayed it from its store on our
	// (re)subscription; it was published some time ago.
	retained bool
}

// handleInline handles a message the embedded broker delivers in-process.
// A device's message names its login (LoginProperty): the login is held
// while the message is applied, and a message of a login a credential
// rotation revoked is dropped.
func (in *Ingest) handleInline(b *Broker, pk packets.Packet) {
	login := loginOf(pk.Properties.User)
	if login != 0 && b.auth != nil {
		release, ok := b.auth.holdLogin(login)
		if !ok {
			in.received.Add(1)
			in.reject(pk.TopicName, drop(ReasonRevoked, "the device's session was closed: its credentials changed"))
			return
		}
		defer release()
	}
	in.handle(pk.TopicName, pk.Payload, origin{login: login})
}

// Handle decodes one message and applies it. It never fails: a bad message is
// counted by reason, logged at a bounded rate, and dropped.
func (in *Ingest) Handle(topic string, payload []byte) {
	in.handle(topic, payload, origin{})
}

func (in *Ingest) handle(topic string, payload []byte, from origin) {
	in.received.Add(1)
	if unit, ok := statusUnit(topic); ok {
		in.handleStatus(topic, unit, payload)
		return
	}
	t, ok := owntracks.ParseTopic(topic)
	if !ok {
		in.reject(topic, drop(ReasonBadTopic, "topic "+quote(topic)+" is not a telemetry topic"))
		return
	}
	if t.Sub != "" && t.Sub != "event" { // waypoints, status, info…: not used
		in.ignored.Add(1)
		return
	}
	unit, err := in.unitOf(t)
	if err != nil {
		in.reject(topic, err)
		return
	}
	var secret []byte
	if in.cfg.Secrets != nil {
		secret = in.cfg.Secrets.OwnTracksSecret(unit)
	}
	msg, err := owntracks.Decode(payload, in.cfg.Now(), secret)
	if err != nil {
		var rf *owntracks.RefusedError
		if errors.As(err, &rf) {
			err = drop(Reason(rf.Reason), rf.Detail)
		}
		in.reject(topic, err)
		return
	}
	var out tracking.UpdateOutcome
	switch msg.Kind {
	case owntracks.KindIgnored:
		in.ignored.Add(1)
		return
	case owntracks.KindLocation:
		in.noteFixLogin(unit, from.login) // before the fix: see lastWill
		out, err = in.fleet.ApplyFix(unit, msg.Location.Position())
	case owntracks.KindTransition:
		if in.cfg.Regions == nil {
			in.ignored.Add(1)
			return
		}
		e := msg.Transition
		e.UnitID = unit
		if err = in.cfg.Regions.RecordRegionEvent(e); err == nil {
			in.regions.Add(1)
			return
		}
	case owntracks.KindLastWill:
		var marked bool
		marked, err = in.fleet.MarkOfflineIf(unit, in.lastWill(unit, msg.LastWill, from))
		switch {
		case err != nil:
		case marked:
			in.log.Info("unit tracker went offline (last will)", "unit", unit)
		default:
			out = tracking.UpdateHistory
			if _, ok := in.limit.Allow("stale_will"); ok {
				in.log.Info("last will ignored: the unit has a fix newer than the will's connection", "unit", unit, "retained", from.retained)
			}
		}
	}
	in.count(topic, unit, out, err)
}

// unitOf names the unit of an OwnTracks topic. On the embedded broker the
// topic is always owntracks/<agency>/<unit> (the broker re-addresses what a
// device publishes); through an external broker the topic names the unit:
// owntracks/<agency>/<unit>, or Android's default owntracks/<unit>/<device>
// when the username is the unit id.
func (in *Ingest) unitOf(t owntracks.Topic) (string, error) {
	devOK := tracking.ValidateID("unit id", t.Device) == nil
	if devOK {
		if in.fleet.Has(t.Device) {
			return t.Device, nil
		}
	}
	if tracking.ValidateID("unit id", t.User) == nil {
		if in.fleet.Has(t.User) {
			return t.User, nil
		}
	}
	if !devOK {
		return "", drop(ReasonBadTopic, "topic does not name a valid unit id: "+quote(t.Device))
	}
	return "", drop(ReasonUnregistered, "unit "+quote(t.Device)+" is not registered")
}

func (in *Ingest) handleStatus(topic, unit string, payload []byte) {
	if err := tracking.ValidateID("unit id", unit); err != nil {
		in.reject(topic, drop(ReasonBadTopic, err.Error()))
		return
	}
	st, at, err := decodeStatus(payload, in.cfg.Now())
	if err != nil {
		in.reject(topic, err)
		return
	}
	out, err := in.fleet.SetStatus(unit, st, at)
	in.count(topic, unit, out, err)
}

func (in *Ingest) count(topic, unit string, out tracking.UpdateOutcome, err error) {
	switch {
	case tracking.CodeOf(err) == tracking.CodeNotFound:
		in.reject(topic, drop(ReasonUnregistered, fmt.Sprintf("unit %q is not registered", unit)))
	case err != nil:
		r := ReasonOutOfRange
		var d *DropError
		if errors.As(err, &d) {
			r = d.Reason
		}
		in.reject(topic, drop(r, err.Error()))
	case out == tracking.UpdateHistory:
		in.history.Add(1)
	default:
		in.applied.Add(1)
	}
}

func (in *Ingest) reject(topic string, err error) {
	var d *DropError
	if !errors.As(err, &d) {
		d = &DropError{Reason: ReasonNotJSON, Detail: err.Error()}
	}
	for i, r := range Reasons {
		if r == d.Reason {
			in.rejected[i].Add(1)
		}
	}
	if suppressed, ok := in.limit.Allow(string(d.Reason)); ok {
		in.log.Warn("dropped telemetry message", "reason", d.Reason, "topic", quote(topic), "detail", d.Detail, "suppressed_since_last", suppressed)
	}
}

// Stats is a snapshot of the ingest counters.
type Stats struct {
	Received, Applied, History, Ignored, Regions, Reconnects uint64
	Rejected                                                 map[Reason]uint64
}

// Stats returns the counters now.
func (in *Ingest) Stats() Stats {
	s := Stats{
		Received: in.received.Load(), Applied: in.applied.Load(), History: in.history.Load(),
		Ignored: in.ignored.Load(), Regions: in.regions.Load(), Reconnects: in.reconnects.Load(), Rejected: map[Reason]uint64{},
	}
	for i, r := range Reasons {
		s.Rejected[r] = in.rejected[i].Load()
	}
	return s
}

var (
	descReceived   = prometheus.NewDesc("siaga112_telemetry_received_total", "MQTT telemetry messages received.", nil, nil)
	descApplied    = prometheus.NewDesc("siaga112_telemetry_applied_total", "Telemetry messages applied to the fleet (fixes, status changes, last wills).", nil, nil)
	descHistory    = prometheus.NewDesc("siaga112_telemetry_history_total", "Fixes or status changes not newer than what the unit had; kept out of the live picture.", nil, nil)
	descIgnored    = prometheus.NewDesc("siaga112_telemetry_ignored_total", "Valid OwnTracks messages of types siaga112 does not use (waypoints, status, cards…): acknowledged and discarded.", nil, nil)
	descRegions    = prometheus.NewDesc("siaga112_telemetry_region_events_total", "OwnTracks transitions recorded as region enter/leave events.", nil, nil)
	descRejected   = prometheus.NewDesc("siaga112_telemetry_rejected_total", "Telemetry messages dropped, by reason.", []string{"reason"}, nil)
	descConnected  = prometheus.NewDesc("siaga112_mqtt_connected", "1 while the ingest is connected and subscribed to the broker.", nil, nil)
	descReconnects = prometheus.NewDesc("siaga112_mqtt_reconnects_total", "Reconnection attempts to the MQTT broker.", nil, nil)
)

// Describe implements prometheus.Collector.
func (in *Ingest) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descReceived, descApplied, descHistory, descIgnored, descRegions, descRejected, descConnected, descReconnects} {
		ch <- d
	}
}

// Collect implements prometheus.Collector.
func (in *Ingest) Collect(ch chan<- prometheus.Metric) {
	s := in.Stats()
	ch <- prometheus.MustNewConstMetric(descReceived, prometheus.CounterValue, float64(s.Received))
	ch <- prometheus.MustNewConstMetric(descApplied, prometheus.CounterValue, float64(s.Applied))
	ch <- prometheus.MustNewConstMetric(descHistory, prometheus.CounterValue, float64(s.History))
	ch <- prometheus.MustNewConstMetric(descIgnored, prometheus.CounterValue, float64(s.Ignored))
	ch <- prometheus.MustNewConstMetric(descRegions, prometheus.CounterValue, float64(s.Regions))
	for _, r := range Reasons {
		ch <- prometheus.MustNewConstMetric(descRejected, prometheus.CounterValue, float64(s.Rejected[r]), string(r))
	}
	conn := 0.0
	if in.Connected() {
		conn = 1
	}
	ch <- prometheus.MustNewConstMetric(descConnected, prometheus.GaugeValue, conn)
	ch <- prometheus.MustNewConstMetric(descReconnects, prometheus.CounterValue, float64(s.Reconnects))
}
