package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/paulmach/orb/geojson"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// Bus is where the live feed hears about changes; *tracking.Bus is one.
type Bus interface {
	Subscribe(buffer int) *tracking.Subscription
	Unsubscribe(s *tracking.Subscription)
}

// Live feed tuning.
const (
	// UnitBatchEvery: unit changes go out at most 4 times a second, each
	// unit once per batch with its newest state.
	UnitBatchEvery = 250 * time.Millisecond
	// clientBuffer is how many messages a client may fall behind before it
	// is dropped (its page reconnects and resyncs).
	clientBuffer = 256
	// hubBuffer is the hub's own event buffer on the bus.
	hubBuffer = 1 << 16
	// liveWriteTimeout: a client that cannot take a message this fast is
	// dropped.
	liveWriteTimeout = 5 * time.Second
)

// liveMsg is one message of the feed.
type liveMsg struct {
	Type      string             `json:"type"` // "snapshot", "units", "incident"
	At        time.Time          `json:"at"`
	Units     []*geojson.Feature `json:"units,omitempty"`
	Incidents []incidentView     `json:"incidents,omitempty"`
	Incident  *incidentView      `json:"incident,omitempty"`
	Action    string             `json:"action,omitempty"`
}

// frame is an encoded message with its place in the stream.
type frame struct {
	seq  uint64
	data []byte
}

type liveClient struct {
	ch chan frame // closed when the hub drops the client
}

// liveHub turns bus events into feed messages once, for every client: a
// batch of 5,000 unit updates is encoded once, not once per dispatcher.
type liveHub struct {
	s       *Server
	seq     atomic.Uint64
	mu      sync.Mutex
	clients map[*liveClient]struct{}
	stop    chan struct{}
	done    chan struct{}

	connected, dropped atomic.Int64
}

func newLiveHub(s *Server) *liveHub {
	h := &liveHub{s: s, clients: map[*liveClient]struct{}{}, stop: make(chan struct{}), done: make(chan struct{})}
	// Subscribe before New returns, so no event falls before the hub runs.
	go h.run(s.cfg.Bus.Subscribe(hubBuffer))
	return h
}

func (h *liveHub) close() {
	close(h.stop)
	<-h.done
}

func (h *liveHub) add() *liveClient {
	c := &liveClient{ch: make(chan frame, clientBuffer)}
	h.mu.Lock()
	h.clients[c] = struct{}{}
	h.mu.Unlock()
	h.connected.Add(1)
	return c
}

func (h *liveHub) remove(c *liveClient) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.ch)
	}
	h.mu.Unlock()
	h.connected.Add(-1)
}

// broadcast hands data to every client that has room and drops the others.
func (h *liveHub) broadcast(data []byte) {
	f := frame{seq: h.seq.Add(1), data: data}
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.ch <- f:
		default:
			delete(h.clients, c)
			close(c.ch)
			h.dropped.Add(1)
		}
	}
}

// dropAll makes every client reconnect and resync (the hub lost events).
func (h *liveHub) dropAll() {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		delete(h.clients, c)
		close(c.ch)
	}
}

func (h *liveHub) run(sub *tracking.Subscription) {
	defer close(h.done)
	defer func() { h.s.cfg.Bus.Unsubscribe(sub) }()
	tick := time.NewTicker(UnitBatchEvery)
	defer tick.Stop()
	pending := map[string]bool{}
	for {
		select {
		case <-h.stop:
			h.dropAll()
			return
		case e, ok := <-sub.C:
			if !ok {
				h.s.log.Warn("live feed fell behind the event bus; clients resync")
				h.dropAll()
				clear(pending)
				sub = h.s.cfg.Bus.Subscribe(hubBuffer)
				continue
			}
			switch {
			case e.Unit != nil:
				pending[e.Unit.ID] = true
			case e.Incident != nil:
				v := h.s.view(*e.Incident)
				h.send(liveMsg{Type: "incident", At: e.At, Action: e.Action, Incident: &v})
			}
		case now := <-tick.C:
			if len(pending) == 0 {
				continue
			}
			msg := liveMsg{Type: "units", At: now}
			for id := range pending {
				if u, err := h.s.cfg.Fleet.Get(id); err == nil {
					msg.Units = append(msg.Units, h.s.unitFeature(u))
				}
			}
			clear(pending)
			h.send(msg)
		}
	}
}

func (h *liveHub) send(m liveMsg) {
	h.mu.Lock()
	n := len(h.clients)
	h.mu.Unlock()
	if n == 0 {
		return
	}
	b, err := json.Marshal(m)
	if err != nil {
		h.s.log.Error("live message not encoded", "err", err)
		return
	}
	h.broadcast(b)
}

var (
	descLiveClients = prometheus.NewDesc("siaga112_live_clients", "Clients connected to the live feed.", nil, nil)
	descLiveDropped = prometheus.NewDesc("siaga112_live_dropped_total", "Live-feed clients dropped for being too slow.", nil, nil)
)

func (h *liveHub) Describe(ch chan<- *prometheus.Desc) { ch <- descLiveClients; ch <- descLiveDropped }

func (h *liveHub) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descLiveClients, prometheus.GaugeValue, float64(h.connected.Load()))
	ch <- prometheus.MustNewConstMetric(descLiveDropped, prometheus.CounterValue, float64(h.dropped.Load()))
}

// live answers GET /api/live: a WebSocket that sends a snapshot of the units
// and the open incidents, then the hub's messages.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context()) // ends when the page goes away

	// Logout or revocation closes the feed (auth.go).
	go s.closeWhenSignedOut(ctx, r, c)

	// Join the stream first, then read the state: messages already in the
	// stream before the snapshot are older than it and are skipped.
	client := s.hub.add()
	defer s.hub.remove(client)
	since := s.hub.seq.Load()
	snap := liveMsg{Type: "snapshot", At: time.Now(), Units: []*geojson.Feature{}, Incidents: []incidentView{}}
	for _, u := range s.cfg.Fleet.List() {
		snap.Units = append(snap.Units, s.unitFeature(u))
	}
	if s.cfg.Dispatch != nil {
		for _, in := range s.cfg.Dispatch.List(dispatch.Filter{Status: tracking.IncidentOpen}) {
			snap.Incidents = append(snap.Incidents, s.view(in))
		}
	}
	b, err := json.Marshal(snap)
	if err != nil || writeLive(ctx, c, b) != nil {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case f, ok := <-client.ch:
			if !ok {
				s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
				c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				return
			}
			if f.seq <= since {
				continue
			}
			if err := writeLive(ctx, c, f.data); err != nil {
				if ctx.Err() == nil {
					s.hub.dropped.Add(1)
					s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
					c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				}
				return
			}
		}
	}
}

func writeLive(ctx context.Context, c *websocket.Conn, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}
