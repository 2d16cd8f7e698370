package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
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
	// UnitBatchEvery: unit changes go out at most 4 times a second per
	// client, each unit once per batch with its newest state.
	UnitBatchEvery = 250 * time.Millisecond
	// liveBuffer is each client's event buffer on the bus; a client that
	// lets it fill is dropped (its page reconnects and resyncs).
	liveBuffer = 8192
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

type liveStats struct {
	clients, dropped atomic.Int64
}

var (
	descLiveClients = prometheus.NewDesc("siaga112_live_clients", "Clients connected to the live feed.", nil, nil)
	descLiveDropped = prometheus.NewDesc("siaga112_live_dropped_total", "Live-feed clients dropped for being too slow.", nil, nil)
)

func (l *liveStats) Describe(ch chan<- *prometheus.Desc) {
	ch <- descLiveClients
	ch <- descLiveDropped
}

func (l *liveStats) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(descLiveClients, prometheus.GaugeValue, float64(l.clients.Load()))
	ch <- prometheus.MustNewConstMetric(descLiveDropped, prometheus.CounterValue, float64(l.dropped.Load()))
}

// live answers GET /api/live: a WebSocket that sends a snapshot of the units
// and the open incidents, then deltas.
func (s *Server) live(w http.ResponseWriter, r *http.Request) {
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return // Accept has answered
	}
	defer c.CloseNow()
	s.liveStats.clients.Add(1)
	defer s.liveStats.clients.Add(-1)
	ctx := c.CloseRead(r.Context()) // ends when the page goes away

	// Subscribe before the snapshot, so nothing falls between the two.
	sub := s.cfg.Bus.Subscribe(liveBuffer)
	defer s.cfg.Bus.Unsubscribe(sub)

	snap := liveMsg{Type: "snapshot", At: time.Now(), Units: []*geojson.Feature{}, Incidents: []incidentView{}}
	for _, u := range s.cfg.Fleet.List() {
		snap.Units = append(snap.Units, s.unitFeature(u))
	}
	if s.cfg.Dispatch != nil {
		for _, in := range s.cfg.Dispatch.List(dispatch.Filter{Status: tracking.IncidentOpen}) {
			snap.Incidents = append(snap.Incidents, s.view(in))
		}
	}
	if err := writeLive(ctx, c, snap); err != nil {
		return
	}

	tick := time.NewTicker(UnitBatchEvery)
	defer tick.Stop()
	pending := map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				s.liveStats.dropped.Add(1)
				s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
				c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				return
			}
			switch {
			case e.Unit != nil:
				pending[e.Unit.ID] = true
			case e.Incident != nil:
				v := s.view(*e.Incident)
				if err := writeLive(ctx, c, liveMsg{Type: "incident", At: e.At, Action: e.Action, Incident: &v}); err != nil {
					s.dropSlow(c, r, err)
					return
				}
			}
		case now := <-tick.C:
			if len(pending) == 0 {
				continue
			}
			msg := liveMsg{Type: "units", At: now}
			for id := range pending {
				if u, err := s.cfg.Fleet.Get(id); err == nil {
					msg.Units = append(msg.Units, s.unitFeature(u))
				}
			}
			clear(pending)
			if err := writeLive(ctx, c, msg); err != nil {
				s.dropSlow(c, r, err)
				return
			}
		}
	}
}

func (s *Server) dropSlow(c *websocket.Conn, r *http.Request, err error) {
	if errors.Is(err, context.DeadlineExceeded) {
		s.liveStats.dropped.Add(1)
		s.log.Warn("live client too slow; dropped", "remote", r.RemoteAddr)
		c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
	}
}

func writeLive(ctx context.Context, c *websocket.Conn, m liveMsg) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, liveWriteTimeout)
	defer cancel()
	return c.Write(ctx, websocket.MessageText, b)
}
