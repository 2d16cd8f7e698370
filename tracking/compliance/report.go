// Package compliance reports how each agency kept the SOP's promise: a case
// forwarded to its lead agency is acknowledged within the deadline (3×24 h
// by default). It is a pure function of the cases, with JSON and CSV
// encodings; it does no I/O of its own.
package compliance

import (
	"math"
	"slices"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/analytics"
)

// Case is what the report needs of an incident.
type Case struct {
	IncidentID string
	Agency     string // the lead agency's code
	ReceivedAt time.Time
	AckedAt    *time.Time // the lead agency acknowledged
	DoneAt     *time.Time // the agency's part was done (the close, until agencies mark it themselves)
	ClosedAt   *time.Time // the incident was closed
}

// CaseOf reads an incident; its done time is its close.
func CaseOf(in tracking.Incident) Case {
	return Case{IncidentID: in.ID, Agency: in.LeadAgency, ReceivedAt: in.ReceivedAt, AckedAt: in.AgencyActedAt, DoneAt: in.ClosedAt, ClosedAt: in.ClosedAt}
}

// Agency names a row.
type Agency struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Row is one agency's figures over the report's window. Durations are in
// seconds; a percentile is null when no case of the row has the time.
type Row struct {
	Agency string `json:"agency"`
	Name   string `json:"name"`
	// Received: cases received in [from, to) that the agency leads.
	Received int `json:"received"`
	// AckedWithin: of those, acknowledged at most the deadline after the
	// report (at the deadline exactly counts as within).
	AckedWithin int `json:"acknowledged_within_deadline"`
	// AckedLate: acknowledged, but after the deadline.
	AckedLate int `json:"acknowledged_late"`
	// OverdueNow: open, unacknowledged, and past the deadline now.
	OverdueNow int `json:"overdue_now"`
	// OverdueTotal: the deadline passed while the case was open and
	// unacknowledged — acknowledged late, closed unacknowledged after the
	// deadline, or overdue now. OverdueNow ≤ OverdueTotal.
	OverdueTotal int `json:"overdue_total"`
	// Acknowledged and Done count the cases behind the percentiles.
	Acknowledged int `json:"acknowledged"`
	Done         int `json:"done"`
	// Nearest-rank percentiles of received → acknowledged and of received
	// → done, in seconds.
	AckP50  *float64 `json:"ack_p50_s"`
	AckP90  *float64 `json:"ack_p90_s"`
	DoneP50 *float64 `json:"done_p50_s"`
	DoneP90 *float64 `json:"done_p90_s"`

	ackS, doneS []float64
}

// Report is the compliance of every agency over [From, To).
type Report struct {
	From        time.Time `json:"from"`
	To          time.Time `json:"to"`
	GeneratedAt time.Time `json:"generated_at"` // "now" for the overdue-now figure
	DeadlineS   float64   `json:"deadline_s"`
	Agencies    []Row     `json:"agencies"` // the agencies in the given order, then unknown codes met in cases, sorted
	Total       Row       `json:"total"`    // every case of the window
}

// Build computes the report of the cases received in [from, to), as seen at
// now, for the agencies given (each gets a row, with zeros when it had no
// case) and any other lead agency met in the cases.
func Build(cases []Case, agencies []Agency, from, to, now time.Time, deadline time.Duration) Report {
	r := Report{From: from, To: to, GeneratedAt: now, DeadlineS: deadline.Seconds()}
	index := map[string]int{}
	for _, a := range agencies {
		if _, dup := index[a.Code]; dup {
			continue
		}
		index[a.Code] = len(r.Agencies)
		r.Agencies = append(r.Agencies, Row{Agency: a.Code, Name: a.Name})
	}
	known := len(r.Agencies)
	r.Total = Row{Agency: "", Name: "Total"}
	for _, c := range cases {
		if c.ReceivedAt.Before(from) || !c.ReceivedAt.Before(to) {
			continue
		}
		i, ok := index[c.Agency]
		if !ok {
			i = len(r.Agencies)
			index[c.Agency] = i
			r.Agencies = append(r.Agencies, Row{Agency: c.Agency, Name: c.Agency})
		}
		add(&r.Agencies[i], c, now, deadline)
		add(&r.Total, c, now, deadline)
	}
	slices.SortFunc(r.Agencies[known:], func(a, b Row) int { return cmpString(a.Agency, b.Agency) })
	for i := range r.Agencies {
		finish(&r.Agencies[i])
	}
	finish(&r.Total)
	return r
}

func cmpString(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func add(row *Row, c Case, now time.Time, deadline time.Duration) {
	row.Received++
	due := c.ReceivedAt.Add(deadline)
	if c.AckedAt != nil {
		row.Acknowledged++
		row.ackS = append(row.ackS, max(c.AckedAt.Sub(c.ReceivedAt).Seconds(), 0))
		if c.AckedAt.After(due) {
			row.AckedLate++
		} else {
			row.AckedWithin++
		}
	}
	if c.DoneAt != nil {
		row.Done++
		row.doneS = append(row.doneS, max(c.DoneAt.Sub(c.ReceivedAt).Seconds(), 0))
	}
	// The clock stopped at the first of: the acknowledgement, the close, now.
	stop := now
	if c.AckedAt != nil && c.AckedAt.Before(stop) {
		stop = *c.AckedAt
	}
	if c.ClosedAt != nil && c.ClosedAt.Before(stop) {
		stop = *c.ClosedAt
	}
	if stop.After(due) {
		row.OverdueTotal++
		if c.AckedAt == nil && c.ClosedAt == nil {
			row.OverdueNow++
		}
	}
}

func finish(row *Row) {
	if len(row.ackS) > 0 {
		s := analytics.Summarize(row.ackS)
		row.AckP50, row.AckP90 = ptr(s.P50), ptr(s.P90)
	}
	if len(row.doneS) > 0 {
		s := analytics.Summarize(row.doneS)
		row.DoneP50, row.DoneP90 = ptr(s.P50), ptr(s.P90)
	}
	row.ackS, row.doneS = nil, nil
}

func ptr(v float64) *float64 {
	if math.IsNaN(v) {
		return nil
	}
	return &v
}
