package web

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/coder/websocket"
	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// AgencyWork is what agency users need of dispatch (dispatch.Service
// implements it; served when Dispatch does): their own incidents only, and
// their acts on them.
type AgencyWork interface {
	GetFor(agency, id string) (tracking.Incident, error)
	ListFor(agency string, f dispatch.Filter) []tracking.Incident
	Sees(agency string, in tracking.Incident) bool
	AgencyAck(ctx context.Context, agency, id, actor string) (tracking.Incident, error)
	AgencyNote(ctx context.Context, agency, id, actor, text string) (tracking.Incident, error)
	AgencyDone(ctx context.Context, agency, id, actor, outcome string) (tracking.Incident, error)
}

// agencyOf is the agency of the request's principal, "" for anyone else.
func agencyOf(r *http.Request) string {
	if p, ok := principalOf(r); ok && p.Role == tracking.RoleAgency {
		return p.Agency
	}
	return ""
}

// forAgency masks what an agency user must not see: the caller's number
// keeps its last 4 digits.
func forAgency(v incidentView) incidentView {
	v.Incident = v.Incident.Clone()
	v.Caller = tracking.MaskPhone(v.Caller)
	return v
}

// agencyAware serves agency users with agencyH and everyone else with h.
func (s *Server) agencyAware(h, agencyH http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if p, ok := principalOf(r); ok && p.Role == tracking.RoleAgency {
			if s.work == nil || p.Agency == "" {
				s.writeError(w, r, tracking.Errorf(tracking.CodeForbidden, "this server serves no agency users"))
				return
			}
			agencyH(w, r)
			return
		}
		h(w, r)
	}
}

func (s *Server) getAgencyIncident(w http.ResponseWriter, r *http.Request) {
	in, err := s.work.GetFor(agencyOf(r), r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, forAgency(s.view(in)))
}

// listAgencyIncidents answers an agency user's GET /api/incidents
// (?status=&overdue=&category=): its incidents, newest first, up to
// MaxPageSize.
func (s *Server) listAgencyIncidents(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := dispatch.Filter{Status: tracking.IncidentStatus(q.Get("status")), Category: tracking.Category(q.Get("category")), Limit: MaxPageSize}
	if f.Status != "" && f.Status != tracking.IncidentOpen && f.Status != tracking.IncidentClosed {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "status must be \"open\" or \"closed\", not %q", f.Status))
		return
	}
	if v := q.Get("overdue"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "overdue must be true or false, not %q", v))
			return
		}
		f.Overdue = b
	}
	out := []incidentView{}
	for _, in := range s.work.ListFor(agencyOf(r), f) {
		out = append(out, forAgency(s.view(in)))
	}
	writeJSON(w, http.StatusOK, out)
}

// queueItem is one incident of an agency's queue, with its clock.
type queueItem struct {
	incidentView
	// LeftS: seconds until the agency deadline (negative: overdue); null
	// once acknowledged or closed.
	LeftS *float64             `json:"left_s"`
	Mine  *tracking.AgencyPart `json:"mine"` // this agency's part, if any
}

// agencyQueue answers GET /api/agency/queue: the agency's open incidents
// ordered by time left (overdue first), the clock of each.
func (s *Server) agencyQueue(w http.ResponseWriter, r *http.Request) {
	agency := agencyOf(r)
	now := s.cfg.Dispatch.Now()
	out := []queueItem{}
	for _, in := range s.work.ListFor(agency, dispatch.Filter{Status: tracking.IncidentOpen}) {
		q := queueItem{incidentView: forAgency(s.view(in))}
		if in.AgencyActedAt == nil {
			left := in.AgencyDueAt.Sub(now).Seconds()
			q.LeftS = &left
		}
		if i := in.Part(agency); i >= 0 {
			q.Mine = &in.AgencyParts[i]
		}
		out = append(out, q)
	}
	slices.SortStableFunc(out, func(a, b queueItem) int {
		switch {
		case a.LeftS != nil && b.LeftS != nil:
			return a.AgencyDueAt.Compare(b.AgencyDueAt)
		case a.LeftS != nil:
			return -1
		case b.LeftS != nil:
			return 1
		}
		return a.ReceivedAt.Compare(b.ReceivedAt)
	})
	writeJSON(w, http.StatusOK, map[string]any{"agency": agency, "now": now, "deadline_s": s.deadline().Seconds(), "incidents": out})
}

func (s *Server) deadline() time.Duration {
	if s.cfg.Compliance != nil {
		return s.cfg.Compliance.Deadline()
	}
	return dispatch.AgencyDeadline
}

// agencyAck answers POST /api/incidents/{id}/ack for an agency user.
func (s *Server) agencyAck(w http.ResponseWriter, r *http.Request) {
	in, err := s.work.AgencyAck(r.Context(), agencyOf(r), r.PathValue("id"), actor(r))
	s.agencyAnswer(w, r, in, err)
}

type noteBody struct {
	Text string `json:"text" text:"max=2000,multiline"`
}

// agencyNote answers POST /api/incidents/{id}/notes {"text"}.
func (s *Server) agencyNote(w http.ResponseWriter, r *http.Request) {
	var b noteBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.work.AgencyNote(r.Context(), agencyOf(r), r.PathValue("id"), actor(r), b.Text)
	s.agencyAnswer(w, r, in, err)
}

type doneBody struct {
	Outcome string `json:"outcome" text:"max=500,multiline"`
}

// agencyDone answers POST /api/incidents/{id}/done {"outcome"}.
func (s *Server) agencyDone(w http.ResponseWriter, r *http.Request) {
	var b doneBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.work.AgencyDone(r.Context(), agencyOf(r), r.PathValue("id"), actor(r), b.Outcome)
	s.agencyAnswer(w, r, in, err)
}

func (s *Server) agencyAnswer(w http.ResponseWriter, r *http.Request, in tracking.Incident, err error) {
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, forAgency(s.view(in)))
}

// agencyLive answers an agency user's GET /api/live: its own connection to
// the bus (agency users are few), a snapshot of its open incidents and its
// agency's units, then only the events of those, numbers masked. The
// shared hub's bytes are never sent to it.
func (s *Server) agencyLive(w http.ResponseWriter, r *http.Request) {
	agency := agencyOf(r)
	// Their own cap: as many as the shared feed's (each holds a bus
	// subscription of its own).
	if n := s.agencyFeeds.Add(1); s.hub == nil || n > int64(s.hub.max) {
		s.agencyFeeds.Add(-1)
		w.Header().Set("Retry-After", "10")
		s.writeError(w, r, tracking.Errorf(tracking.CodeUnavailable, "the agencies' live feed is full; try again shortly"))
		return
	}
	defer s.agencyFeeds.Add(-1)
	sub := s.cfg.Bus.Subscribe(clientBuffer)
	defer s.cfg.Bus.Unsubscribe(sub)
	c, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	defer c.CloseNow()
	ctx := c.CloseRead(r.Context())
	go s.closeWhenSignedOut(ctx, r, c)
	now := s.cfg.Dispatch.Now()
	snap := liveMsg{Type: "snapshot", At: now, Units: nil, Incidents: []incidentView{}}
	for _, u := range s.cfg.Fleet.List() {
		if u.Agency == agency {
			snap.Units = append(snap.Units, s.unitFeature(u))
		}
	}
	for _, in := range s.work.ListFor(agency, dispatch.Filter{Status: tracking.IncidentOpen}) {
		snap.Incidents = append(snap.Incidents, forAgency(s.view(in)))
	}
	send := func(m liveMsg) bool {
		b, err := json.Marshal(m)
		return err == nil && writeLive(ctx, c, b) == nil
	}
	if !send(snap) {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case e, ok := <-sub.C:
			if !ok {
				c.Close(websocket.StatusPolicyViolation, "too slow: reconnect and resync")
				return
			}
			var m liveMsg
			switch {
			case e.Incident != nil && s.work.Sees(agency, *e.Incident):
				v := forAgency(s.view(*e.Incident))
				m = liveMsg{Type: "incident", At: e.At, Action: e.Action, Incident: &v}
			case e.Unit != nil && e.Unit.Agency == agency:
				m = liveMsg{Type: "units", At: e.At, Units: []*geojson.Feature{s.unitFeature(*e.Unit)}}
			default:
				continue
			}
			if !send(m) {
				return
			}
		}
	}
}

// notAnAgency answers the agency-only routes for anyone else (admins).
func (s *Server) notAnAgency(w http.ResponseWriter, r *http.Request) {
	s.writeError(w, r, tracking.Errorf(tracking.CodeForbidden, "%s %s is for agency users: sign in as one", r.Method, r.URL.Path))
}

// agencyExists refuses an agency code the directory does not know.
func (s *Server) agencyExists(ctx context.Context, code string) error {
	if s.cfg.Agencies == nil {
		return tracking.Errorf(tracking.CodeInvalid, "this server has no agencies")
	}
	as, err := s.cfg.Agencies.Agencies(ctx)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Code == code {
			return nil
		}
	}
	return tracking.Errorf(tracking.CodeInvalid, "no agency %q: use a code of GET /api/agencies", truncateText(code, 40))
}

// now is the server's clock: dispatch's when there is one.
func (s *Server) now() time.Time {
	if s.cfg.Dispatch != nil {
		return s.cfg.Dispatch.Now()
	}
	return time.Now()
}

func truncateText(v string, n int) string {
	if len(v) <= n {
		return v
	}
	return v[:n] + "…"
}
