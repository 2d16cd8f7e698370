package mqtt

import (
	"errors"
	"fmt"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

// What the ingest does with each message, on either path: decode it, apply
// it to the fleet, count what became of it.

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
