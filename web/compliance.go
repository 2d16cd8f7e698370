package web

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/compliance"
)

// ComplianceSource gives the compliance report its inputs: the cases
// received in [from, to) (closed ones included), the agencies and the
// deadline in force (--agency-deadline).
type ComplianceSource interface {
	ComplianceCases(ctx context.Context, from, to time.Time) ([]compliance.Case, error)
	Agencies() []compliance.Agency
	Deadline() time.Duration
}

// agencyCompliance serves GET /api/agencies/compliance?from=&to=[&format=csv]
// (planners and admins; the lead registers it): JSON by default, CSV as a
// download for the monthly SOP export. Dates are WIB days.
func (s *Server) agencyCompliance(src ComplianceSource, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		t := now()
		from, to, err := compliance.ParseWindow(q.Get("from"), q.Get("to"), t)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		format := q.Get("format")
		if format != "" && format != "json" && format != "csv" {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "format must be json or csv"))
			return
		}
		cases, err := src.ComplianceCases(r.Context(), from, to)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		rep := compliance.Build(cases, src.Agencies(), from, to, t, src.Deadline())
		if format == "csv" {
			name := fmt.Sprintf("kepatuhan-opd-%s-%s.csv", from.In(compliance.WIB).Format("20060102"), to.In(compliance.WIB).Format("20060102"))
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
			if err := rep.WriteCSV(w); err != nil {
				s.log.Error("compliance csv", "err", err)
			}
			return
		}
		writeJSON(w, http.StatusOK, rep)
	}
}
