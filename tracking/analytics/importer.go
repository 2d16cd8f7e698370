package analytics

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
)

// Columns of a history file, in this order or any other (the header names
// them).
var Columns = []string{"id", "category", "lat", "lon", "received_at", "dispatched_at", "on_scene_at", "closed_at"}

// Importer validates history files.
type Importer struct {
	// Known reports whether a category exists (the plans in force).
	Known   func(tracking.Category) bool
	Locator tracking.Locator
	Now     func() time.Time
}

// RowError is one bad row: its line in the file and why.
type RowError struct {
	Line   int    `json:"row"`
	Reason string `json:"reason"`
}

// ImportError refuses a whole file.
type ImportError struct {
	Rows  []RowError // the first MaxRowErrors
	Total int        // bad rows in all
}

// MaxRowErrors bounds the rows an ImportError lists.
const MaxRowErrors = 100

func (e *ImportError) Error() string {
	return fmt.Sprintf("%d bad rows (the first at row %d: %s); nothing was imported", e.Total, e.Rows[0].Line, e.Rows[0].Reason)
}

// Parse reads a whole history CSV (with a header row). Every row is checked:
// a known category, coordinates inside the city, RFC 3339 times in order
// (received ≤ dispatched ≤ on scene ≤ closed; all but received may be
// empty), a unique id. One bad row refuses the file: the *ImportError lists
// the bad rows by line number. Good rows come back geolocated.
func (im Importer) Parse(r io.Reader) ([]tracking.HistoryRecord, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the file is empty; the first row must name the columns %s", strings.Join(Columns, ","))
	}
	if err != nil {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the header row is not CSV: %v", err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))] = i
	}
	for _, c := range Columns {
		if _, ok := col[c]; !ok {
			return nil, tracking.Errorf(tracking.CodeInvalid, "the header has no column %q; the columns are %s", c, strings.Join(Columns, ","))
		}
	}
	now := time.Now
	if im.Now != nil {
		now = im.Now
	}
	var out []tracking.HistoryRecord
	bad := &ImportError{}
	seen := map[string]int{}
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// Past a broken quote the rest of the file cannot be trusted.
			line := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				line = pe.Line
			}
			bad.add(line, fmt.Sprintf("not CSV: %v", errors.Unwrap(err)))
			break
		}
		line, _ := cr.FieldPos(0)
		hr, reason := im.row(rec, col, now())
		if reason == "" {
			if first, dup := seen[hr.ID]; dup {
				reason = fmt.Sprintf("id %q repeats row %d", hr.ID, first)
			}
		}
		if reason != "" {
			bad.add(line, reason)
			continue
		}
		seen[hr.ID] = line
		out = append(out, hr)
	}
	if bad.Total > 0 {
		return nil, bad
	}
	return out, nil
}

func (e *ImportError) add(line int, reason string) {
	e.Total++
	if len(e.Rows) < MaxRowErrors {
		e.Rows = append(e.Rows, RowError{Line: line, Reason: reason})
	}
}

func (im Importer) row(rec []string, col map[string]int, now time.Time) (tracking.HistoryRecord, string) {
	get := func(name string) string {
		if i := col[name]; i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	hr := tracking.HistoryRecord{ID: get("id"), Category: tracking.Category(get("category"))}
	switch {
	case hr.ID == "":
		return hr, "id is empty"
	case len(hr.ID) > 64:
		return hr, "id is longer than 64 characters"
	case !im.Known(hr.Category):
		return hr, fmt.Sprintf("unknown category %q", hr.Category)
	}
	var err1, err2 error
	hr.Lat, err1 = strconv.ParseFloat(get("lat"), 64)
	hr.Lon, err2 = strconv.ParseFloat(get("lon"), 64)
	if err1 != nil || err2 != nil || math.IsNaN(hr.Lat) || math.IsNaN(hr.Lon) || math.IsInf(hr.Lat, 0) || math.IsInf(hr.Lon, 0) {
		return hr, fmt.Sprintf("lat %q / lon %q are not decimal degrees", get("lat"), get("lon"))
	}
	loc, err := tracking.Locate(im.Locator, orb.Point{hr.Lon, hr.Lat})
	if err != nil {
		return hr, fmt.Sprintf("(%g, %g) is outside Kota Serang", hr.Lat, hr.Lon)
	}
	hr.KecamatanCode, hr.KelurahanCode = loc.Kecamatan.Code, loc.Kelurahan.Code
	var reason string
	stamp := func(name string, required bool) *time.Time {
		v := get(name)
		if v == "" {
			if required && reason == "" {
				reason = name + " is empty"
			}
			return nil
		}
		t, err := time.Parse(time.RFC3339, v)
		if err != nil {
			if reason == "" {
				reason = fmt.Sprintf("%s %q is not an RFC 3339 time (2025-11-27T08:15:00+07:00)", name, v)
			}
			return nil
		}
		return &t
	}
	received := stamp("received_at", true)
	hr.DispatchedAt, hr.OnSceneAt, hr.ClosedAt = stamp("dispatched_at", false), stamp("on_scene_at", false), stamp("closed_at", false)
	if reason != "" {
		return hr, reason
	}
	hr.ReceivedAt = *received
	if hr.ReceivedAt.After(now.Add(5 * time.Minute)) {
		return hr, "received_at is in the future"
	}
	prev, prevName := received, "received_at"
	for _, s := range []struct {
		name string
		t    *time.Time
	}{{"dispatched_at", hr.DispatchedAt}, {"on_scene_at", hr.OnSceneAt}, {"closed_at", hr.ClosedAt}} {
		if s.t == nil {
			continue
		}
		if s.t.Before(*prev) {
			return hr, fmt.Sprintf("%s is before %s", s.name, prevName)
		}
		prev, prevName = s.t, s.name
	}
	return hr, ""
}
