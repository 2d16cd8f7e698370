package web

import (
	"encoding/csv"
	"net/http"
	"strconv"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/analytics"
)

// etaAccuracyBody is GET /api/analytics/eta-accuracy's answer.
type etaAccuracyBody struct {
	From             *time.Time              `json:"from"` // null: open
	To               *time.Time              `json:"to"`
	Type             tracking.UnitType       `json:"type,omitempty"`
	ArrivalRadiusM   float64                 `json:"arrival_radius_m"`
	Error            string                  `json:"error_definition"`
	PercentileMethod string                  `json:"percentile_method"`
	Assignments      int                     `json:"assignments"` // with an ETA, in the window
	Count            int                     `json:"count"`       // of which with an arrival fix
	WithoutFix       int                     `json:"without_fix"`
	Groups           []analytics.ETAAccuracy `json:"groups"`
}

// etaAccuracy answers GET /api/analytics/eta-accuracy?from=&to=&type=:
// each assignment dispatched in [from, to) with an ETA against the trip its
// unit made, to its first fix within the arrival radius, per unit type and
// ETA model.
func (s *Server) etaAccuracy(w http.ResponseWriter, r *http.Request) {
	a := s.cfg.Analytics
	params := r.URL.Query()
	q := tracking.ETATripQuery{RadiusM: a.ArrivalRadiusM}
	var err error
	if q.From, err = timeParam(params.Get("from"), "from"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.To, err = timeParam(params.Get("to"), "to"); err != nil {
		s.writeError(w, r, err)
		return
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "from (%s) must be before to (%s)", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339)))
		return
	}
	if v := params.Get("type"); v != "" {
		if q.Type, err = tracking.ParseUnitType(v); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	trips, err := a.Trips.ETATrips(r.Context(), q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := etaAccuracyBody{Type: q.Type, ArrivalRadiusM: q.RadiusM, Assignments: len(trips), PercentileMethod: "nearest-rank",
		Error:  "actual - eta_s: positive when the unit took longer than estimated; the actual trip runs from dispatched_at to the unit's first fix within arrival_radius_m of the incident",
		Groups: analytics.SummarizeETAs(trips)}
	if !q.From.IsZero() {
		body.From = &q.From
	}
	if !q.To.IsZero() {
		body.To = &q.To
	}
	for _, g := range body.Groups {
		body.Count += g.Count
		body.WithoutFix += g.WithoutFix
	}
	if wantsCSV(r) {
		writeETAAccuracyCSV(w, body.Groups)
		return
	}
	writeJSON(w, http.StatusOK, body)
}

// writeETAAccuracyCSV writes one row per group; empty cells where a
// percentile has no trip.
func writeETAAccuracyCSV(w http.ResponseWriter, groups []analytics.ETAAccuracy) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="eta-accuracy.csv"`)
	cw := csv.NewWriter(w)
	cw.Write([]string{"type", "eta_model", "count", "without_fix", "error_p50_s", "error_p90_s", "error_p50_pct", "error_p90_pct",
		"abs_error_p50_s", "abs_error_p90_s", "abs_error_p50_pct", "abs_error_p90_pct"})
	num := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', -1, 64)
	}
	for _, g := range groups {
		cw.Write([]string{string(g.Type), g.EtaModel, strconv.Itoa(g.Count), strconv.Itoa(g.WithoutFix),
			num(g.ErrorP50S), num(g.ErrorP90S), num(g.ErrorP50Pct), num(g.ErrorP90Pct),
			num(g.AbsErrorP50S), num(g.AbsErrorP90S), num(g.AbsErrorP50Pct), num(g.AbsErrorP90Pct)})
	}
	cw.Flush()
}
