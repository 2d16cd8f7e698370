package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/paulmach/orb"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// DefaultNearest is how many units GET /api/units/nearest answers without
// ?limit=.
const DefaultNearest = dispatch.MaxRecommendations

// nearestQuery is GET /api/units/nearest's parameters.
type nearestQuery struct {
	lat, lon float64
	typ      tracking.UnitType
	limit    int
	geojson  bool
	routes   bool // ?route=1: each row with its route
}

// parseNearest reads the query string by hand: url.ParseQuery builds a map
// of slices per request, and this is the API's hottest read.
func parseNearest(r *http.Request) (nearestQuery, error) {
	q := nearestQuery{limit: DefaultNearest, geojson: acceptsGeoJSON(r)}
	var haveLat, haveLon bool
	for rest := r.URL.RawQuery; rest != ""; {
		var kv string
		kv, rest, _ = strings.Cut(rest, "&")
		k, v, _ := strings.Cut(kv, "=")
		if strings.ContainsAny(v, "%+") {
			u, err := url.QueryUnescape(v)
			if err != nil {
				return q, tracking.Errorf(tracking.CodeInvalid, "the query string is not valid (%s)", k)
			}
			v = u
		}
		var err error
		switch k {
		case "lat":
			q.lat, err = strconv.ParseFloat(v, 64)
			haveLat = true
		case "lon":
			q.lon, err = strconv.ParseFloat(v, 64)
			haveLon = true
		case "type":
			q.typ = tracking.UnitType(v)
		case "limit":
			q.limit, err = strconv.Atoi(v)
			if err == nil && (q.limit < 1 || q.limit > dispatch.MaxNearest) {
				err = strconv.ErrRange
			}
			if err != nil {
				return q, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %q", dispatch.MaxNearest, v)
			}
		case "route":
			if q.routes, err = parseRouteFlag(v); err != nil {
				return q, err
			}
		case "format":
			if v != "geojson" && v != "json" {
				return q, tracking.Errorf(tracking.CodeInvalid, "format must be \"json\" or \"geojson\", not %q", v)
			}
			q.geojson = v == "geojson"
		}
		if err != nil {
			return q, tracking.Errorf(tracking.CodeInvalid, "%s must be a number in decimal degrees, not %q", k, v)
		}
	}
	switch {
	case !haveLat || !haveLon:
		return q, tracking.Errorf(tracking.CodeInvalid, "lat and lon are required (decimal degrees)")
	case q.typ == "":
		return q, tracking.Errorf(tracking.CodeInvalid, "type is required (one of %s)", unitTypeList())
	}
	return q, nil
}

func unitTypeList() string {
	names := make([]string, len(tracking.UnitTypes))
	for i, t := range tracking.UnitTypes {
		names[i] = string(t)
	}
	return strings.Join(names, ", ")
}

// nearestBuf is one request's scratch, pooled: the ranking and the bytes.
type nearestBuf struct {
	recs []dispatch.Recommendation
	out  []byte
}

var nearestBufs = sync.Pool{New: func() any {
	return &nearestBuf{recs: make([]dispatch.Recommendation, 0, 2*dispatch.MaxRecommendations), out: make([]byte, 0, 4096)}
}}

// nearest answers GET /api/units/nearest?lat=&lon=&type=&limit=: the
// available live units of that type ordered by ETA, as the recommendation
// ranks them; nothing is created. JSON (a list of recommendations) or,
// asked for, a GeoJSON FeatureCollection of the units' positions.
func (s *Server) nearest(w http.ResponseWriter, r *http.Request) {
	q, err := parseNearest(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	buf := nearestBufs.Get().(*nearestBuf)
	defer nearestBufs.Put(buf)
	buf.recs, err = s.cfg.Dispatch.NearestRouted(buf.recs, orb.Point{q.lon, q.lat}, q.typ, q.limit, q.routes)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if q.geojson {
		buf.out = appendNearestGeoJSON(buf.out[:0], buf.recs)
		w.Header()["Content-Type"] = geoJSONType
	} else {
		buf.out = appendNearestJSON(buf.out[:0], buf.recs)
		w.Header()["Content-Type"] = jsonType
	}
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(buf.out))}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(buf.out)
}

// Shared header values: assigned, never appended to.
var (
	jsonType    = []string{"application/json; charset=utf-8"}
	geoJSONType = []string{"application/geo+json"}
)

// appendRecommendation writes rec's JSON members (without braces) exactly
// as encoding/json would for dispatch.Recommendation; a test holds the two
// equal.
func appendRecommendation(b []byte, rec dispatch.Recommendation) []byte {
	b = append(b, `"unit_id":`...)
	b = appendJSONString(b, rec.UnitID)
	b = append(b, `,"callsign":`...)
	b = appendJSONString(b, rec.Callsign)
	b = append(b, `,"type":`...)
	b = appendJSONString(b, string(rec.Type))
	b = append(b, `,"agency":`...)
	b = appendJSONString(b, rec.Agency)
	b = append(b, `,"distance_m":`...)
	b = appendJSONFloat(b, rec.DistanceM)
	b = append(b, `,"route_m":`...)
	b = appendJSONFloat(b, rec.RouteM)
	b = append(b, `,"eta_s":`...)
	b = appendJSONFloat(b, rec.ETASeconds)
	b = append(b, `,"eta_model":`...)
	b = appendJSONString(b, rec.EtaModel)
	if ls, ok := routeLine(rec); ok {
		b = append(b, `,"route":`...)
		b = appendLineString(b, ls)
	}
	return b
}

// routeLine is a row's route, when it has one.
func routeLine(rec dispatch.Recommendation) (orb.LineString, bool) {
	if rec.Route == nil {
		return nil, false
	}
	ls, ok := rec.Route.Coordinates.(orb.LineString)
	return ls, ok
}

// appendLineString writes a GeoJSON LineString as orb's geojson package
// marshals it.
func appendLineString(b []byte, ls orb.LineString) []byte {
	b = append(b, `{"type":"LineString","coordinates":[`...)
	for i, p := range ls {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '[')
		b = appendJSONFloat(b, p[0])
		b = append(b, ',')
		b = appendJSONFloat(b, p[1])
		b = append(b, ']')
	}
	return append(b, "]}"...)
}

// parseRouteFlag reads ?route=: 1 or true, 0 or false (or empty).
func parseRouteFlag(v string) (bool, error) {
	switch v {
	case "1", "true":
		return true, nil
	case "0", "false", "":
		return false, nil
	}
	return false, tracking.Errorf(tracking.CodeInvalid, "route must be 1 or true (each row with its route), or 0 or false, not %q", v)
}

func appendNearestJSON(b []byte, recs []dispatch.Recommendation) []byte {
	b = append(b, '[')
	for i, rec := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, '{')
		b = appendRecommendation(b, rec)
		b = append(b, '}')
	}
	return append(b, "]\n"...)
}

func appendNearestGeoJSON(b []byte, recs []dispatch.Recommendation) []byte {
	b = append(b, `{"type":"FeatureCollection","features":[`...)
	for i, rec := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"type":"Feature","id":`...)
		b = appendJSONString(b, rec.UnitID)
		if ls, ok := routeLine(rec); ok { // ?route=1: the route is the feature
			b = append(b, `,"geometry":`...)
			b = appendLineString(b, ls)
		} else {
			b = append(b, `,"geometry":{"type":"Point","coordinates":[`...)
			b = appendJSONFloat(b, rec.Position[0])
			b = append(b, ',')
			b = appendJSONFloat(b, rec.Position[1])
			b = append(b, `]}`...)
		}
		b = append(b, `,"properties":{"rank":`...)
		b = strconv.AppendInt(b, int64(i+1), 10)
		b = append(b, ',')
		b = appendRecommendation(b, rec)
		b = append(b, "}}"...)
	}
	return append(b, "]}\n"...)
}
