package web

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/compliance"
	"siaga112/tracking/dispatch"
)

// CallRecorder logs calls (dispatch.Service implements it).
type CallRecorder interface {
	RecordCall(ctx context.Context, req dispatch.NewCall, actor string) (dispatch.LoggedCall, error)
}

type callBody struct {
	Number     string `json:"number"`
	Outcome    string `json:"outcome"`
	IncidentID string `json:"incident_id"`
	Note       string `json:"note" text:"max=1000,multiline"`
	CallID     string `json:"call_id"`
}

// postCall answers POST /api/calls {"number","outcome","incident_id"?,"note"?}:
// 201 with the call and, for prank and ghost calls, the caller's record.
func (s *Server) postCall(rec CallRecorder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := s.callRate.allow(actor(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
		var b callBody
		if err := decodeBody(w, r, &b); err != nil {
			s.writeError(w, r, err)
			return
		}
		o, err := tracking.ParseCallOutcome(b.Outcome)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		out, err := rec.RecordCall(r.Context(), dispatch.NewCall{Number: b.Number, Outcome: o, IncidentID: b.IncidentID, Note: b.Note, CallID: b.CallID}, actor(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, out)
	}
}

// MaxCallsListed bounds GET /api/calls.
const MaxCallsListed = 10000

// callQuery reads ?from=&to=&number= (dates as the compliance report reads
// them: WIB days, to exclusive; default the last 30 days).
func (s *Server) callQuery(r *http.Request) (tracking.CallQuery, error) {
	q := r.URL.Query()
	from, to, err := compliance.ParseWindow(q.Get("from"), q.Get("to"), s.cfg.Dispatch.Now())
	if err != nil {
		return tracking.CallQuery{}, err
	}
	if q.Get("to") == "" {
		to = to.Add(time.Second) // "until now" includes a call logged this instant
	}
	cq := tracking.CallQuery{From: from, To: to}
	if n := q.Get("number"); n != "" {
		if cq.Number, err = tracking.NormalizePhone(n); err != nil {
			return cq, err
		}
	}
	return cq, nil
}

// listCalls answers GET /api/calls?from=&to=&number=&limit=&format=json|csv,
// oldest first; Accept: text/csv asks for CSV too.
func (s *Server) listCalls(log tracking.CallLog) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		csvOut := false
		switch f := r.URL.Query().Get("format"); f {
		case "":
			csvOut = strings.Contains(r.Header.Get("Accept"), "text/csv")
		case "json":
		case "csv":
			csvOut = true
		default:
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "format must be json or csv, not %q", truncate(f, 20)))
			return
		}
		q, err := s.callQuery(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		q.Limit = MaxCallsListed
		if v := r.URL.Query().Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > MaxCallsListed {
				s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d", MaxCallsListed))
				return
			}
			q.Limit = n
		}
		calls, err := log.Calls(r.Context(), q)
		if err != nil {
			s.writeError(w, r, unreadable(err))
			return
		}
		if csvOut {
			writeCallsCSV(w, q.From, calls)
			return
		}
		list, err := s.callList(r.Context(), q, calls)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, list)
	}
}

// writeCallsCSV writes the call log for a spreadsheet, formulas defused
// as in the audit export (cell).
func writeCallsCSV(w http.ResponseWriter, from time.Time, calls []tracking.Call) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="siaga112-calls-%s.csv"`, from.UTC().Format("20060102T150405Z")))
	cw := csv.NewWriter(w)
	cw.Write([]string{"id", "at", "number", "outcome", "incident_id", "note", "by"})
	for _, c := range calls {
		cw.Write([]string{cell(c.ID), c.At.UTC().Format(time.RFC3339Nano), cell(c.Number), cell(string(c.Outcome)),
			cell(c.IncidentID), cell(c.Note), cell(c.By)})
	}
	cw.Flush()
}

// callStats answers GET /api/calls/stats?from=&to=: calls per hour of the
// week (WIB), the outcomes' shares, repeat callers.
func (s *Server) callStats(log tracking.CallLog) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q, err := s.callQuery(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		calls, err := log.Calls(r.Context(), q)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		st := tracking.SummarizeCalls(calls, compliance.WIB)
		writeJSON(w, http.StatusOK, struct {
			From time.Time `json:"from"`
			To   time.Time `json:"to"`
			tracking.CallStats
		}{q.From, q.To, st})
	}
}

// loggingDispatch makes the prank shortcut (POST /api/calls/{number}/prank)
// log its call: RecordPrank becomes RecordCall with outcome prank, so the
// count, the block and the log agree. Everything else is Dispatch's own.
type loggingDispatch struct {
	inner // embedded under another name: Dispatch has a method Dispatch
	rec   CallRecorder
}

type inner = Dispatch

func (d loggingDispatch) RecordPrank(ctx context.Context, number, actor string) (dispatch.CallerView, error) {
	out, err := d.rec.RecordCall(ctx, dispatch.NewCall{Number: number, Outcome: tracking.CallPrank, Note: "POST /api/calls/{number}/prank"}, actor)
	if err != nil || out.Caller == nil {
		return dispatch.CallerView{}, err
	}
	v := *out.Caller
	v.Persisted = out.Persisted
	return v, nil
}
