package web

import (
	"net/http"
	"strconv"
	"strings"

	"siaga112/tracking"
)

type prankBody struct {
	// IncidentID, when given, is the prank call's incident: it is closed.
	IncidentID string `json:"incident_id"`
}

// prank answers POST /api/calls/{number}/prank.
func (s *Server) prank(w http.ResponseWriter, r *http.Request) {
	if err := s.callRate.allow(actor(r)); err != nil { // it logs a call: the same bucket as POST /api/calls
		s.writeError(w, r, err)
		return
	}
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

// Pages of GET /api/callers.
const (
	DefaultCallersPage = 100
	MaxCallersPage     = 500
)

// callers answers GET /api/callers?proposed=true&limit=&cursor=: the
// numbers with a record (proposed: the ministry list), in number order, a
// page at a time. The cursor is the last number of the previous page
// (X-Next-Cursor, Link rel="next"); past the end the page is empty.
func (s *Server) callers(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	proposed := false
	if v := q.Get("proposed"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "proposed must be true or false, not %q", truncate(v, 20)))
			return
		}
		proposed = b
	}
	limit := DefaultCallersPage
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxCallersPage {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %q", MaxCallersPage, truncate(v, 20)))
			return
		}
		limit = n
	}
	cursor := q.Get("cursor")
	if strings.HasPrefix(cursor, " ") {
		cursor = "+" + cursor[1:] // ?cursor=+65…, typed unescaped: a query reads "+" as a space
	}
	if !validCallerCursor(cursor) {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "cursor must be the X-Next-Cursor of the previous page (a number), not %q", truncate(cursor, 20)))
		return
	}
	page, more := s.cfg.Dispatch.CallersPage(proposed, cursor, limit)
	if more {
		nextCursor(w, r, page[len(page)-1].Number, limit)
	}
	writeJSON(w, http.StatusOK, page)
}

// validCallerCursor: "" (the first page) or a number as the list writes
// them (digits, a foreign one after "+").
func validCallerCursor(c string) bool {
	d := strings.TrimPrefix(c, "+")
	return len(d) <= tracking.MaxPhoneDigits && (c == "" || d != "" && strings.Trim(d, "0123456789") == "")
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
