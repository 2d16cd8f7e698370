package web

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// Dispatch is what the web layer needs of the dispatch service.
type Dispatch interface {
	CreateIncident(ctx context.Context, req dispatch.NewIncident, actor string) (tracking.Incident, []dispatch.Recommendation, error)
	Dispatch(ctx context.Context, incidentID string, unitIDs []string, actor string) (dispatch.DispatchResult, error)
	SetAssignmentStatus(ctx context.Context, incidentID, unitID string, st tracking.AssignmentStatus, actor string) (tracking.Incident, error)
	Ack(ctx context.Context, incidentID, actor string) (tracking.Incident, error)
	Close(ctx context.Context, incidentID, actor string) (tracking.Incident, error)
	Get(id string) (tracking.Incident, error)
	List(f dispatch.Filter) []tracking.Incident
	RecordPrank(ctx context.Context, number, actor string) (dispatch.CallerView, error)
	Caller(number string) (dispatch.CallerView, error)
	CallersPage(proposed bool, after string, limit int) ([]dispatch.CallerView, bool)
	LiftBlock(ctx context.Context, number, actor, reason string) (dispatch.CallerView, error)
	Plans() *dispatch.Plans
	Now() time.Time
	Nearest(dst []dispatch.Recommendation, p orb.Point, t tracking.UnitType, limit int) ([]dispatch.Recommendation, error)
	NearestRouted(dst []dispatch.Recommendation, p orb.Point, t tracking.UnitType, limit int, routes bool) ([]dispatch.Recommendation, error)
}

// incidentView is an incident as the API shows it.
type incidentView struct {
	tracking.Incident
	Overdue bool `json:"overdue"`
	// Synthetic: raised by the demo, not a real call.
	Synthetic bool `json:"synthetic"`
}

func (s *Server) view(in tracking.Incident) incidentView {
	return incidentView{Incident: in, Overdue: in.Overdue(s.cfg.Dispatch.Now()), Synthetic: in.IsSynthetic()}
}

type newIncidentBody struct {
	Category    string   `json:"category"`
	Lat         *float64 `json:"lat"`
	Lon         *float64 `json:"lon"`
	Caller      string   `json:"caller"`
	Description string   `json:"description" text:"max=2000,multiline"`
}

type createdIncident struct {
	incidentView
	Recommendations []dispatch.Recommendation `json:"recommendations"`
}

// createIncident answers POST /api/incidents: 201 with the incident and its
// recommendations; 400 bad body, 422 outside the city, 403 blocked caller.
func (s *Server) createIncident(w http.ResponseWriter, r *http.Request) {
	if err := s.incidentRate.allow(actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	routes, err := parseRouteFlag(r.URL.Query().Get("route"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var b newIncidentBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	switch {
	case b.Category == "":
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "field \"category\" is required"))
		return
	case b.Lat == nil || b.Lon == nil:
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "fields \"lat\" and \"lon\" are required (decimal degrees)"))
		return
	case b.Caller == "":
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "field \"caller\" (the caller's number) is required"))
		return
	}
	in, recs, err := s.cfg.Dispatch.CreateIncident(r.Context(), dispatch.NewIncident{
		Category: tracking.Category(b.Category), Lat: *b.Lat, Lon: *b.Lon, Caller: b.Caller, Description: b.Description, Routes: routes,
	}, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/incidents/"+in.ID)
	writeJSON(w, http.StatusCreated, createdIncident{incidentView: s.view(in), Recommendations: recs})
}

func (s *Server) getIncident(w http.ResponseWriter, r *http.Request) {
	format, err := incidentFormat(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.cfg.Dispatch.Get(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if format == "cap" || format == "eido" {
		s.writeInterop(w, r, in, format)
		return
	}
	if wantsGeoJSON(r) {
		f, err := incidentFeature(s.view(in))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, f)
		return
	}
	writeJSON(w, http.StatusOK, s.view(in))
}

// listIncidents answers GET /api/incidents?status=open|closed&overdue=true&category=…
func (s *Server) listIncidents(w http.ResponseWriter, r *http.Request) {
	if err := checkFormat(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := dispatch.Filter{Status: tracking.IncidentStatus(q.Get("status")), Category: tracking.Category(q.Get("category"))}
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
	f.Limit = DefaultPageSize
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxPageSize {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %q", MaxPageSize, v))
			return
		}
		f.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		if err := tracking.ValidateID("cursor", v); err != nil {
			s.writeError(w, r, err)
			return
		}
		f.Before = v
	}
	out := []incidentView{}
	for _, in := range s.cfg.Dispatch.List(f) {
		out = append(out, s.view(in))
	}
	if len(out) == f.Limit {
		// More may follow: the next page starts below the last id here.
		next := r.URL.Query()
		next.Set("cursor", out[len(out)-1].ID)
		next.Set("limit", strconv.Itoa(f.Limit))
		w.Header().Set("X-Next-Cursor", out[len(out)-1].ID)
		w.Header().Set("Link", fmt.Sprintf("<%s?%s>; rel=\"next\"", r.URL.Path, next.Encode()))
	}
	if wantsGeoJSON(r) {
		fc, err := incidentCollection(out)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, fc)
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// Pages of GET /api/incidents: newest first, DefaultPageSize unless
// ?limit= says otherwise; the X-Next-Cursor header (and a Link rel="next")
// gives ?cursor= for the next page.
const (
	DefaultPageSize = 100
	MaxPageSize     = 1000
)

type dispatchBody struct {
	UnitIDs []string `json:"unit_ids"`
}

// dispatchUnits answers POST /api/incidents/{id}/dispatch; an empty body or
// an empty unit_ids follows the plan.
func (s *Server) dispatchUnits(w http.ResponseWriter, r *http.Request) {
	var b dispatchBody
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	res, err := s.cfg.Dispatch.Dispatch(r.Context(), r.PathValue("id"), b.UnitIDs, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"incident": s.view(res.Incident), "assigned": res.Assigned, "shortfall": res.Shortfall})
}

type statusBody struct {
	Status string `json:"status"`
}

// unitStatus answers POST /api/incidents/{id}/units/{unit}/status.
func (s *Server) unitStatus(w http.ResponseWriter, r *http.Request) {
	var b statusBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	in, err := s.cfg.Dispatch.SetAssignmentStatus(r.Context(), r.PathValue("id"), r.PathValue("unit"), tracking.AssignmentStatus(b.Status), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.view(in))
}

func (s *Server) ackIncident(w http.ResponseWriter, r *http.Request) {
	s.incidentAction(w, r, s.cfg.Dispatch.Ack)
}

func (s *Server) closeIncident(w http.ResponseWriter, r *http.Request) {
	s.incidentAction(w, r, s.cfg.Dispatch.Close)
}

func (s *Server) incidentAction(w http.ResponseWriter, r *http.Request, act func(context.Context, string, string) (tracking.Incident, error)) {
	in, err := act(r.Context(), r.PathValue("id"), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.view(in))
}
