package web

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"
	"github.com/uber/h3-go/v4"

	"siaga112/geo"
	"siaga112/tracking"
	"siaga112/tracking/analytics"
)

// HistoryIndex is the in-memory history the planners query
// (analytics.Index is one).
type HistoryIndex interface {
	Add(rs []tracking.HistoryRecord) int
	Run(q analytics.Query, extra []tracking.HistoryRecord) (analytics.Result, error)
}

// Analytics wires the planners' endpoints.
type Analytics struct {
	Index    HistoryIndex
	Importer analytics.Importer
	Store    tracking.HistoryStore // nil: imports live in memory only
	// SQL, when set, answers the queries it can in the database (filters,
	// grouping and percentiles pushed into SQL); the in-memory Index
	// answers the rest.
	SQL analytics.Querier
	// Live lists the incidents dispatch holds (they count as history too).
	Live func() []tracking.Incident
	// Nearest finds the nearest available live unit of a type, for coverage.
	Nearest   func(tracking.UnitType) analytics.Nearest
	Router    geo.Router
	CityBound orb.Bound
	// Synthetic: the history holds the demo's invented incidents; answers
	// say so, and the planners' page shows it.
	Synthetic bool
	// Trips and ArrivalRadiusM serve the ETA accuracy report (nil: not
	// served).
	Trips          tracking.ETATripReader
	ArrivalRadiusM float64
}

// MaxHistoryBytes caps an uploaded history file (about 3 million rows).
const MaxHistoryBytes = 256 << 20

// importHistory answers POST /api/history/incidents (text/csv): all rows or
// none; 400 listing the bad rows by number.
func (s *Server) importHistory(w http.ResponseWriter, r *http.Request) {
	a := s.cfg.Analytics
	start := time.Now()
	rs, err := a.Importer.Parse(http.MaxBytesReader(w, r.Body, MaxHistoryBytes))
	var ie *analytics.ImportError
	var big *http.MaxBytesError
	switch {
	case errors.As(err, &ie):
		writeJSON(w, http.StatusBadRequest, map[string]any{"error": ie.Error(), "bad_rows": ie.Total, "rows": ie.Rows})
		return
	case errors.As(err, &big):
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "the file is larger than %d MiB; split it", MaxHistoryBytes>>20))
		return
	case err != nil:
		s.writeError(w, r, err)
		return
	}
	added, err := ImportHistory(r.Context(), a, rs)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("history imported", "rows", len(rs), "new", added, "took", time.Since(start).Round(time.Millisecond))
	writeJSON(w, http.StatusOK, map[string]any{"rows": len(rs), "imported": added, "unchanged": len(rs) - added})
}

// ImportHistory stores (when there is a store) and indexes records; the
// number new to the index comes back.
func ImportHistory(ctx context.Context, a *Analytics, rs []tracking.HistoryRecord) (int, error) {
	if a.Store != nil {
		if _, err := a.Store.SaveHistory(ctx, rs); err != nil {
			return 0, err
		}
	}
	return a.Index.Add(rs), nil
}

func (s *Server) analyticsQuery(r *http.Request) (analytics.Query, error) {
	q := r.URL.Query()
	aq := analytics.Query{Segment: analytics.Segment(orDefault(q.Get("segment"), "response")), By: analytics.GroupBy(orDefault(q.Get("by"), "kelurahan")), Res: 8}
	var err error
	if aq.From, err = timeParam(q.Get("from"), "from"); err != nil {
		return aq, err
	}
	if aq.To, err = timeParam(q.Get("to"), "to"); err != nil {
		return aq, err
	}
	if v := q.Get("res"); v != "" {
		if aq.Res, err = strconv.Atoi(v); err != nil {
			return aq, tracking.Errorf(tracking.CodeInvalid, "res must be a whole number, not %q", v)
		}
	}
	if c := q.Get("category"); c != "" {
		if _, err := s.cfg.Dispatch.Plans().Plan(tracking.Category(c)); err != nil {
			return aq, err
		}
		aq.Category = tracking.Category(c)
	}
	return aq, aq.Validate()
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// timeParam reads an RFC 3339 time or a date (midnight UTC+7, Serang's zone).
func timeParam(v, name string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339, v); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation("2006-01-02", v, wib); err == nil {
		return t, nil
	}
	return time.Time{}, tracking.Errorf(tracking.CodeInvalid, "%s must be a date (2025-01-31) or an RFC 3339 time, not %q", name, v)
}

// wib is Western Indonesian Time, Serang's clock.
var wib = time.FixedZone("WIB", 7*3600)

// responseTimes answers GET /api/analytics/response-times.
func (s *Server) responseTimes(w http.ResponseWriter, r *http.Request) {
	q, err := s.analyticsQuery(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var res analytics.Result
	if a := s.cfg.Analytics; a.SQL != nil && a.SQL.CanRun(q) {
		res, err = a.SQL.Run(r.Context(), q)
	} else {
		var live []tracking.HistoryRecord
		for _, in := range a.Live() {
			live = append(live, analytics.FromIncident(in))
		}
		res, err = a.Index.Run(q, live)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	if q.By == analytics.ByH3 {
		for _, g := range res.Groups {
			fc.Append(s.summaryFeature(cellPolygon(h3.Cell(h3.IndexFromString(g.Key))), g.Key, "", &g.Summary))
		}
	} else {
		groups := map[string]analytics.Summary{}
		for _, g := range res.Groups {
			groups[g.Key] = g.Summary
		}
		// Every area, with or without incidents, so a choropleth has no holes.
		for _, a := range s.areaList(q.By) {
			var sum *analytics.Summary
			if g, ok := groups[a.code]; ok {
				sum = &g
			}
			fc.Append(s.summaryFeature(a.geom, a.code, a.name, sum))
		}
	}
	fc.ExtraMembers = geojson.Properties{
		"segment": q.Segment, "by": q.By, "percentile_method": "nearest-rank",
		"matched": res.Matched, "excluded_missing_stamps": res.Excluded,
		"synthetic": s.cfg.Analytics.Synthetic,
	}
	if wantsCSV(r) {
		writeCSV(w, "response-times-"+string(q.By)+".csv", []string{"code", "name", "count", "p50_s", "p90_s"}, fc, []string{"code", "name", "count", "p50_s", "p90_s"})
		return
	}
	writeJSON(w, http.StatusOK, fc)
}

type area struct {
	code, name string
	geom       orb.Geometry
}

// areaList lists kecamatan or kelurahan with their official polygons when
// loaded, representative points otherwise.
func (s *Server) areaList(by analytics.GroupBy) []area {
	list := s.cfg.Gazetteer.Kelurahan
	if by == analytics.ByKecamatan {
		list = s.cfg.Gazetteer.Kecamatan
	}
	out := make([]area, 0, len(list))
	for _, a := range list {
		out = append(out, area{a.Code, a.Name, s.geoms[a.Code]})
	}
	return out
}

func (s *Server) summaryFeature(g orb.Geometry, code, name string, sum *analytics.Summary) *geojson.Feature {
	f := geojson.NewFeature(g)
	f.ID = code
	f.Properties["code"], f.Properties["name"] = code, name
	f.Properties["count"], f.Properties["p50_s"], f.Properties["p90_s"] = 0, nil, nil
	if sum != nil {
		f.Properties["count"], f.Properties["p50_s"], f.Properties["p90_s"] = sum.Count, sum.P50, sum.P90
	}
	return f
}

func cellPolygon(c h3.Cell) orb.Polygon {
	b := c.Boundary()
	ring := make(orb.Ring, 0, len(b)+1)
	for _, ll := range b {
		ring = append(ring, orb.Point{ll.Lng, ll.Lat})
	}
	return orb.Polygon{append(ring, ring[0])}
}

// coverage answers GET /api/analytics/coverage?type=ambulance&res=8: for each
// H3 cell of the city, the ETA of the nearest available live unit now.
func (s *Server) coverage(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	t, err := tracking.ParseUnitType(orDefault(q.Get("type"), "ambulance"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	res := 8
	if v := q.Get("res"); v != "" {
		if res, err = strconv.Atoi(v); err != nil || res < 5 || res > 10 {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "res must be an H3 resolution from 5 to 10, not %q", v))
			return
		}
	}
	a := s.cfg.Analytics
	cov, err := analytics.Coverage(analytics.CityCells(a.CityBound, res, s.cfg.Districts), a.Nearest(t), a.Router)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	fc := geojson.NewFeatureCollection()
	for _, c := range cov {
		f := geojson.NewFeature(cellPolygon(c.Cell))
		f.ID = c.Cell.String()
		f.Properties["code"], f.Properties["unit_id"], f.Properties["eta_s"], f.Properties["distance_m"] = c.Cell.String(), nil, nil, nil
		if !math.IsNaN(c.ETASeconds) {
			f.Properties["unit_id"], f.Properties["eta_s"], f.Properties["distance_m"] = c.UnitID, c.ETASeconds, c.DistanceM
		}
		fc.Append(f)
	}
	// Not "type": a FeatureCollection's own member, which orb keeps (it
	// dropped the unit type silently).
	fc.ExtraMembers = geojson.Properties{"unit_type": t, "res": res}
	if wantsCSV(r) {
		writeCSV(w, "coverage-"+string(t)+".csv", []string{"code", "unit_id", "distance_m", "eta_s"}, fc, []string{"code", "unit_id", "distance_m", "eta_s"})
		return
	}
	writeJSON(w, http.StatusOK, fc)
}

func wantsCSV(r *http.Request) bool {
	return r.URL.Query().Get("format") == "csv" || strings.Contains(r.Header.Get("Accept"), "text/csv")
}

// writeCSV writes the features' properties as CSV rows.
func writeCSV(w http.ResponseWriter, filename string, header []string, fc *geojson.FeatureCollection, props []string) {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", filename))
	cw := csv.NewWriter(w)
	cw.Write(header)
	for _, f := range fc.Features {
		row := make([]string, len(props))
		for i, p := range props {
			switch v := f.Properties[p].(type) {
			case nil:
			case float64:
				row[i] = strconv.FormatFloat(v, 'f', -1, 64)
			default:
				row[i] = fmt.Sprint(v)
			}
		}
		cw.Write(row)
	}
	cw.Flush()
}
