package compliance

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"
	"time"

	"siaga112/tracking"
)

// WIB is Kota Serang's time (UTC+7, no daylight saving): report windows
// given as dates are local days, as the SOP counts them.
var WIB = time.FixedZone("WIB", 7*3600)

// MaxWindow bounds a report's window.
const MaxWindow = 366 * 24 * time.Hour

// ParseWindow reads from and to (RFC 3339, or a date 2006-01-02 meaning
// its midnight in WIB). An empty to is now; an empty from is 30 days
// before to. A month for the SOP export: from=2026-11-01&to=2026-12-01.
func ParseWindow(from, to string, now time.Time) (time.Time, time.Time, error) {
	parse := func(name, v string) (time.Time, error) {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t, nil
		}
		if t, err := time.ParseInLocation("2006-01-02", v, WIB); err == nil {
			return t, nil
		}
		return time.Time{}, tracking.Errorf(tracking.CodeInvalid, "%s must be a date (2006-01-02) or an RFC 3339 time", name)
	}
	t, f := now, time.Time{}
	var err error
	if to != "" {
		if t, err = parse("to", to); err != nil {
			return f, t, err
		}
	}
	f = t.Add(-30 * 24 * time.Hour)
	if from != "" {
		if f, err = parse("from", from); err != nil {
			return f, t, err
		}
	}
	switch {
	case !f.Before(t):
		return f, t, tracking.Errorf(tracking.CodeInvalid, "from must be before to")
	case t.Sub(f) > MaxWindow:
		return f, t, tracking.Errorf(tracking.CodeInvalid, "the window is longer than 366 days")
	}
	return f, t, nil
}

// WriteJSON encodes the report.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// CSVHeader is the first line of the CSV encoding.
var CSVHeader = []string{"agency", "name", "received", "acknowledged_within_deadline", "acknowledged_late",
	"overdue_now", "overdue_total", "acknowledged", "done", "ack_p50_s", "ack_p90_s", "done_p50_s", "done_p90_s"}

// WriteCSV encodes the report as CSV: a header, one line per agency, then
// the total (agency "*"). An empty cell is a percentile with no case.
func (r Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	cw.Write(CSVHeader)
	line := func(code string, row Row) {
		cw.Write([]string{cell(code), cell(row.Name), itoa(row.Received), itoa(row.AckedWithin), itoa(row.AckedLate),
			itoa(row.OverdueNow), itoa(row.OverdueTotal), itoa(row.Acknowledged), itoa(row.Done),
			seconds(row.AckP50), seconds(row.AckP90), seconds(row.DoneP50), seconds(row.DoneP90)})
	}
	for _, row := range r.Agencies {
		line(row.Agency, row)
	}
	line("*", r.Total)
	cw.Flush()
	return cw.Error()
}

func itoa(n int) string { return strconv.Itoa(n) }

func seconds(v *float64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}

// cell defuses spreadsheet formulas: a cell starting with = + - @ or a tab
// is prefixed with ' so that opening the export never runs it.
func cell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
