package web

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"siaga112/tracking"
)

// The audit trail, read back: an incident's timeline (who did what to it,
// when, and which fields changed) and the whole trail for admins, as JSON
// or CSV. Both page by the entries' seq: ?limit= and ?cursor= (the
// X-Next-Cursor header and a Link rel="next" give the next page).

// Pages of the audit trail.
const (
	DefaultAuditPage = 100
	MaxAuditPage     = 1000
	// A CSV export is meant for a spreadsheet: bigger pages.
	DefaultAuditCSVPage = 10_000
	MaxAuditCSVPage     = 100_000
)

// page reads ?limit= (def when absent, at most max) and ?cursor= (a seq).
func page(r *http.Request, def, maxLimit int) (limit int, cursor int64, err error) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return 0, 0, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %q", maxLimit, truncate(v, 20))
		}
		limit = n
	}
	if v := q.Get("cursor"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return 0, 0, tracking.Errorf(tracking.CodeInvalid, "cursor must be the X-Next-Cursor of the previous page, not %q", truncate(v, 20))
		}
		cursor = n
	}
	return limit, cursor, nil
}

// nextPage sets the headers that lead to the page after seq.
func nextPage(w http.ResponseWriter, r *http.Request, seq int64, limit int) {
	nextCursor(w, r, strconv.FormatInt(seq, 10), limit)
}

// nextCursor sets the headers that lead to the page after cursor.
func nextCursor(w http.ResponseWriter, r *http.Request, cursor string, limit int) {
	next := r.URL.Query()
	next.Set("cursor", cursor)
	next.Set("limit", strconv.Itoa(limit))
	w.Header().Set("X-Next-Cursor", cursor)
	w.Header().Set("Link", fmt.Sprintf("<%s?%s>; rel=\"next\"", r.URL.Path, next.Encode()))
}

// timeline answers GET /api/incidents/{id}/timeline: every step of the
// incident, oldest first, with its time, actor and the fields it changed.
func (s *Server) timeline(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := tracking.ValidateID("incident id", id); err != nil {
		s.writeError(w, r, err)
		return
	}
	limit, cursor, err := page(r, DefaultAuditPage, MaxAuditPage)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	// From the cursor's own entry (the last step already shown): what the
	// first step of this page changed is measured against it.
	q := tracking.AuditQuery{Subject: id, Limit: limit + 1}
	if cursor > 0 {
		q.After, q.Limit = cursor-1, limit+2
	}
	entries, err := s.cfg.Audit.AuditTrail(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var base *tracking.AuditEntry
	if cursor > 0 && len(entries) > 0 && entries[0].Seq == cursor {
		base, entries = &entries[0], entries[1:]
	}
	if len(entries) == 0 && cursor == 0 {
		// No trail: an unknown incident is a 404, not an empty history.
		if _, err := s.cfg.Dispatch.Get(id); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	if len(entries) > limit {
		entries = entries[:limit]
		nextPage(w, r, entries[len(entries)-1].Seq, limit)
	}
	writeJSON(w, http.StatusOK, tracking.Timeline(entries, base))
}

// auditRange reads ?from= and ?to= (RFC 3339, or a date taken as UTC
// midnight); the default is the last 24 hours, up to whatever comes next
// (to stays zero: no upper bound).
func auditRange(q url.Values, now time.Time) (from, to time.Time, err error) {
	parse := func(name string, def time.Time) (time.Time, error) {
		v := q.Get(name)
		if v == "" {
			return def, nil
		}
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		if t, err := time.Parse(time.DateOnly, v); err == nil {
			return t, nil
		}
		return time.Time{}, tracking.Errorf(tracking.CodeInvalid, "%s must be a time (2026-11-27T08:00:00+07:00) or a date (2026-11-27), not %q", name, truncate(v, 40))
	}
	if to, err = parse("to", time.Time{}); err != nil {
		return
	}
	end := to
	if end.IsZero() {
		end = now
	}
	if from, err = parse("from", end.Add(-24*time.Hour)); err != nil {
		return
	}
	if !to.IsZero() && !from.Before(to) {
		err = tracking.Errorf(tracking.CodeInvalid, "from (%s) must be before to (%s)", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	return
}

// audit answers GET /api/audit?from=&to=&subject=&format=json|csv (admins):
// the trail in that time range, oldest first.
func (s *Server) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	csvOut := false
	switch f := q.Get("format"); f {
	case "", "json":
	case "csv":
		csvOut = true
	default:
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "format must be json or csv, not %q", truncate(f, 20)))
		return
	}
	from, to, err := auditRange(q, s.now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	def, maxLimit := DefaultAuditPage, MaxAuditPage
	if csvOut {
		def, maxLimit = DefaultAuditCSVPage, MaxAuditCSVPage
	}
	limit, cursor, err := page(r, def, maxLimit)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	subject := q.Get("subject")
	if len(subject) > 200 {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "subject is longer than 200 characters"))
		return
	}
	entries, err := s.cfg.Audit.AuditTrail(r.Context(), tracking.AuditQuery{Subject: subject, From: from, To: to, After: cursor, Limit: limit + 1})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if len(entries) > limit {
		entries = entries[:limit]
		nextPage(w, r, entries[len(entries)-1].Seq, limit)
	}
	if !csvOut {
		writeJSON(w, http.StatusOK, entries)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="siaga112-audit-%s.csv"`, from.UTC().Format("20060102T150405Z")))
	cw := csv.NewWriter(w)
	cw.Write([]string{"seq", "at", "actor", "action", "subject", "data"})
	for _, e := range entries {
		cw.Write([]string{strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano),
			cell(e.Actor), cell(e.Action), cell(e.Subject), cell(string(e.Data))})
	}
	cw.Flush()
}

// cell keeps a spreadsheet from running a value as a formula: a cell that
// starts with = + - @ (or a tab or carriage return, which some
// spreadsheets skip) is prefixed with an apostrophe (OWASP's CSV injection
// advice). Foreign numbers ("+1…") are shown with it too, as text.
func cell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
