package web

import (
	"net/http"
	"strconv"

	"siaga112/tracking"
)

type prankBody struct {
	// IncidentID, when given, is the prank call's incident: it is closed.
	IncidentID string `json:"incident_id"`
}

// prank answers POST /api/calls/{number}/prank.
func (s *Server) prank(w http.ResponseWriter, r *http.Request) {
	var b prankBody
	if r.ContentLength != 0 {
		if err := decodeBody(w, r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	number, err := tracking.NormalizePhone(r.PathValue("number"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.IncidentID != "" {
		in, err := s.cfg.Dispatch.Get(b.IncidentID)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		// Only the prank caller's own incident is closed: a mistyped id
		// must not close someone else's emergency.
		if caller, _ := tracking.NormalizePhone(in.Caller); caller != number {
			s.writeError(w, r, tracking.Errorf(tracking.CodeConflict,
				"incident %s was reported from another number, not %s; nothing was recorded", in.ID, number))
			return
		}
		if in.Status == tracking.IncidentOpen {
			if _, err := s.cfg.Dispatch.Close(r.Context(), b.IncidentID, actor(r)); err != nil {
				s.writeError(w, r, err)
				return
			}
		}
	}
	v, err := s.cfg.Dispatch.RecordPrank(r.Context(), number, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) caller(w http.ResponseWriter, r *http.Request) {
	v, err := s.cfg.Dispatch.Caller(r.PathValue("number"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// callers answers GET /api/callers?proposed=true: the ministry list.
func (s *Server) callers(w http.ResponseWriter, r *http.Request) {
	proposed := false
	if v := r.URL.Query().Get("proposed"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "proposed must be true or false, not %q", v))
			return
		}
		proposed = b
	}
	writeJSON(w, http.StatusOK, s.cfg.Dispatch.Callers(proposed))
}

type liftBody struct {
	Reason string `json:"reason" text:"max=1000,multiline"`
}

// liftBlock answers POST /api/callers/{number}/lift (a supervisor's act).
func (s *Server) liftBlock(w http.ResponseWriter, r *http.Request) {
	var b liftBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	v, err := s.cfg.Dispatch.LiftBlock(r.Context(), r.PathValue("number"), actor(r), b.Reason)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}
