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
	// livePingEvery: each client is pinged this often, and one whose pong
	// is not back within liveWriteTimeout is dropped at once. The pong
	// follows everything sent before the ping, so a late one means the
	// client has left what it was sent unread for that long: the kernel's
	// socket buffers would otherwise hide a client that stopped reading
	// (for a minute under traffic, for ever without).
	livePingEvery = 500 * time.Millisecond
)

// liveMsg is one message of the feed.
type liveMsg struct {
	Type      string             `json:"type"` // "snapshot", "units", "incident"
	At        time.Time          `json:"at"`
	Units     []*geojson.Feature `json:"units,omitempty"`
	Incidents []incidentView     `json:"incidents,omitempty"`
	Incident  *incidentView      `json:"incident,omitempty"`
	Action    string             `json:"action,omitempty"`
	Region    *regionEvent       `json:"region,omitempty"`  // Type "region"
	Removed   []string           `json:"removed,omitempty"` // Type "units": ids of units deleted since
}

// DefaultLiveClients is the default cap on live-feed clients; one more is
// answered 503.
const DefaultLiveClients = 200

type liveClient struct {
	ch      chan []byte // encoded messages, shared by every client; closed when the hub drops the client
	stalled atomic.Bool // dropped by its heartbeat: it reads nothing
	writing atomic.Bool // a message is being written (with its own timeout)
}

// liveHub turns bus events into feed messages once, for every client: each
// tick's batch of unit updates and each snapshot is encoded once and the
// same bytes go to every client, so memory grows with the units, not with
// units × clients. A client joins at a tick: the hub sends it that tick's
// snapshot, then every later message, in order.
type liveHub struct {
	s         *Server
	max       int
	mu        sync.Mutex
	clients   map[*liveClient]struct{}
	waiting   map[*liveClient]struct{} // joined, snapshot not sent yet
	pingEvery time.Duration            // livePingEvery; 0: no heartbeat (a test's knob)
	stop      chan struct{}
	closeOnce sync.Once
	done      chan struct{}

	connected, dropped, refused, snapshots atomic.Int64
}

func newLiveHub(s *Server, max int) *liveHub {
	if max <= 0 {
		max = DefaultLiveClients
	}
	h := &liveHub{s: s, max: max, clients: map[*liveClient]struct{}{}, waiting: map[*liveClient]struct{}{},
		pingEvery: livePingEvery, stop: make(chan struct{}), done: make(chan struct{})}
	// Subscribe before New returns, so no event falls before the hub runs.
	go h.run(s.cfg.Bus.Subscribe(hubBuffer))
	return h
}

// close stops the hub; closing twice is harmless (the app and a test may
// both close the server).
func (h *liveHub) close() {
	h.closeOnce.Do(func() { close(h.stop) })
	<-h.done
}

// add queues a client for the next snapshot, or returns nil when the hub
// has its cap of clients.
func (h *liveHub) add() *liveClient {
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.clients)+len(h.waiting) >= h.max {
		h.refused.Add(1)
		return nil
	}
	c := &liveClient{ch: make(chan []byte, clientBuffer)}
	h.waiting[c] = struct{}{}
	h.connected.Add(1)
	return c
}

func (h *liveHub) remove(c *liveClient) {
	h.mu.Lock()
	if _, ok := h.clients[c]; ok {
		delete(h.clients, c)
		close(c.ch)
	}
	if _, ok := h.waiting[c]; ok {
		delete(h.waiting, c)
		close(c.ch)
	}
	h.mu.Unlock()
	h.connected.Add(-1)
}

// drop frees a client's slot at once, before its connection is closed
// (which takes a close handshake), and counts it; false when it was
// dropped already.
func (h *liveHub) drop(c *liveClient) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, m := range []map[*liveClient]struct{}{h.clients, h.waiting} {
		if _, ok := m[c]; ok {
			delete(m, c)
			close(c.ch)
			h.dropped.Add(1)
			return true
		}
	}
	return false
}

// broadcast hands data to every client that has room and drops the others.
func (h *liveHub) broadcast(data []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.clients {
		select {
		case c.ch <- data:
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
	for _, m := range []map[*liveClient]struct{}{h.clients, h.waiting} {
		for c := range m {
			delete(m, c)
			close(c.ch)
		}
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
			case e.Region != nil:
				v := regionView(*e.Region)
				h.send(liveMsg{Type: "region", At: e.At, Action: e.Action, Region: &v})
			}
		case now := <-tick.C:
			if len(pending) > 0 {
				msg := liveMsg{Type: "units", At: now}
				for id := range pending {
					if u, err := h.s.cfg.Fleet.Get(id); err == nil {
						msg.Units = append(msg.Units, h.s.unitFeature(u))
					} else {
						msg.Removed = append(msg.Removed, id) // deleted: the page drops it
					}
				}
				clear(pending)
				h.send(msg)
			}
			h.welcome(now)
		}
	}
}

// welcome sends one snapshot, encoded once, to every client that joined
// since the last tick, and lets them into the stream. Messages already
// queued on the bus may arrive again after it: each carries a whole unit or
// incident, so a repeat changes nothing on the page.
func (h *liveHub) welcome(now time.Time) {
	h.mu.Lock()
	n := len(h.waiting)
	h.mu.Unlock()
	if n == 0 {
		return
	}
	b, err := json.Marshal(h.s.snapshot(now))
	if err != nil {
		h.s.log.Error("live snapshot not encoded", "err", err)
		return
	}
	h.snapshots.Add(1)
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.waiting {
		delete(h.waiting, c)
		c.ch <- b // a fresh client's queue is empty
		h.clients[c] = struct{}{}
	}
}

// snapshot is the units and the open incidents now.
func (s *Server) snapshot(now time.Time) liveMsg {
	snap := liveMsg{Type: "snapshot", At: now, Units: []*geojson.Feature{}, Incidents: []incidentView{}}
	for _, u := range s.cfg.Fleet.List() {
		snap.Units = append(snap.Units, s.unitFeature(u))
	}
	if s.cfg.Dispatch != nil {
		for _, in := range s.cfg.Dispatch.List(dispatch.Filter{Status: tracking.IncidentOpen}) {
			snap.Incidents = append(snap.Incidents, s.view(in))
		}
	}
	return snap
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
	descLiveClients   = prometheus.NewDesc("siaga112_live_clients", "Clients connected to the live feed.", nil, nil)
	descLiveDropped   = prometheus.NewDesc("siaga112_live_dropped_total", "Live-feed clients dropped for being too slow.", nil, nil)
	descLiveRefused   = prometheus.NewDesc("siaga112_live_refused_total", "Live-feed connections refused (503) at the client cap.", nil, nil)
	descLiveSnapshots = prometheus.NewDesc("siaga112_live_snapshots_total", "Snapshots built (each shared by the clients that joined in one tick).", nil, nil)
)

func (h *liveHub) Describe(ch chan<- *prometheus.Desc) {
	ch <- descLiveClients
	ch <- descLiveDropped
	ch <- descLiveRefused
	ch <- descLiveSnapshots
}

func (h *liveHub) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descLiveClients, prometheus.GaugeValue, float64(h.connected.Load()))
	ch <- prometheus.MustNewConstMetric(descLiveDropped, prometheus.CounterValue, float64(h.dropped.Load()))
	ch <- prometheus.MustNewConstMetric(descLiveRefused, prometheus.CounterValue, float64(h.refused.Load()))
	ch <- prometheus.MustNewConstMetric(descLiveSnapshots, prometheus.CounterValue, float64(h.snapshots.Load()))
}

// live answers GET /api/live: a WebSocket that sends a snapshot of the units
// and the open incidents, then the hub's messages; 503 at the client cap.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	client := s.hub.add()
	if client == nil {
		w.Header().Set("Retry-After", "10")
		s.writeError(w, r, tracking.Errorf(tracking.CodeUnavailable,
			"the live feed has its %d clients; try again shortly (the cap is --live-clients)", s.hub.max))
		return
	}
	defer s.hub.remove(client)
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context()) // ends when the page goes away

	// Logout or revocation closes the feed (auth.go).
	go s.closeWhenSignedOut(ctx, r, c)
	if s.hub.pingEvery > 0 {
		go s.heartbeat(ctx, client, c, r.RemoteAddr)
	}
	for {
		select {
		case <-ctx.Done():
			return
		case b, ok := <-client.ch:
			if !ok {
				if !client.stalled.Load() { // its queue overflowed: slow, but reading
					s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
					c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				}
				return
			}
			client.writing.Store(true)
			err := writeLive(ctx, c, b)
			client.writing.Store(false)
			if err != nil {
				if ctx.Err() == nil && s.hub.drop(client) {
					s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
					c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				}
				return
			}
		}
	}
}

// heartbeat pings the client every pingEvery; a pong not back within
// liveWriteTimeout frees the client's slot at once and cuts the connection
// (a client that reads nothing would not read a close frame either). No
// ping waits behind a message being written (a snapshot can be large):
// that write has its own timeout.
func (s *Server) heartbeat(ctx context.Context, client *liveClient, c *websocket.Conn, remote string) {
	t := time.NewTicker(s.hub.pingEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if client.writing.Load() {
			continue
		}
		pctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
		err := c.Ping(pctx)
		late := err != nil && ctx.Err() == nil && pctx.Err() == context.DeadlineExceeded
		cancel()
		if err == nil {
			continue
		}
		if late {
			client.stalled.Store(true)
			if s.hub.drop(client) {
				s.log.Warn("live client left what it was sent unread for 5 s; dropped", "remote", remote)
			}
			c.CloseNow()
		}
		return
	}
}

func writeLive(ctx context.Context, c *websocket.Conn, b []byte) error {
	ctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}
