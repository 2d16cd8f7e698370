package web

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"net/http"
	"strconv"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
)

// Districts is what the web layer needs of the district index.
type Districts interface {
	tracking.Locator
	Exact() bool
	Districts() []geo.District
}

// locate answers GET /api/locate?lat=&lon=.
func (s *Server) locate(w http.ResponseWriter, r *http.Request) {
	lat, err := coordParam(r, "lat", 90)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	lon, err := coordParam(r, "lon", 180)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loc, err := tracking.Locate(s.cfg.Districts, orb.Point{lon, lat})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, loc)
}

// coordParam reads a decimal-degree query parameter within ±limit.
func coordParam(r *http.Request, name string, limit float64) (float64, error) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return 0, tracking.Errorf(tracking.CodeInvalid, "query parameter %q is missing (decimal degrees, e.g. lat=-6.12&lon=106.15)", name)
	}
	v, err := strconv.ParseFloat(raw, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, tracking.Errorf(tracking.CodeInvalid, "query parameter %q is %q, not a number of decimal degrees", name, raw)
	}
	if v < -limit || v > limit {
		return 0, tracking.Errorf(tracking.CodeInvalid, "query parameter %q is %g, outside -%g..%g", name, v, limit, limit)
	}
	return v, nil
}

// areas answers GET /api/areas?level=kecamatan|kelurahan: official polygons
// when loaded, representative points with names otherwise.
func (s *Server) areas(w http.ResponseWriter, r *http.Request) {
	level := r.URL.Query().Get("level")
	if level == "" {
		level = "kelurahan"
	}
	if level != "kelurahan" && level != "kecamatan" {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "level must be \"kecamatan\" or \"kelurahan\", not %q", level))
		return
	}
	s.areaDocs[level].serve(w, r)
}

// areaDocs encodes both levels once: the areas never change while the
// server runs, so their answers carry a validator.
func (s *Server) encodeAreas() (map[string]*cachedDoc, error) {
	docs := map[string]*cachedDoc{}
	for _, level := range []string{"kelurahan", "kecamatan"} {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s.areaCollection(level)); err != nil {
			return nil, fmt.Errorf("encode %s areas: %w", level, err)
		}
		docs[level] = newCachedDoc(geoJSONType, b.Bytes())
	}
	return docs, nil
}

func (s *Server) areaCollection(level string) *geojson.FeatureCollection {
	g := s.cfg.Gazetteer
	list := g.Kelurahan
	if level == "kecamatan" {
		list = g.Kecamatan
	}
	fc := geojson.NewFeatureCollection()
	for _, a := range list {
		f := geojson.NewFeature(s.geoms[a.Code])
		f.ID = a.Code
		f.Properties["code"] = a.Code
		f.Properties["name"] = a.Name
		f.Properties["level"] = level
		f.Properties["area_km2"] = a.AreaKm2
		f.Properties["label_point"] = []float64{a.Point[0], a.Point[1]}
		if a.KecamatanCode != "" {
			kec, _ := g.Lookup(a.KecamatanCode)
			f.Properties["kecamatan"] = geo.Place{Code: kec.Code, Name: kec.Name}
		}
		fc.Append(f)
	}
	fc.ExtraMembers = geojson.Properties{"approximate": !s.cfg.Districts.Exact()}
	return fc
}

// areaGeometries gives every kecamatan and kelurahan its official polygons
// when they are loaded (a kecamatan as the dissolve of its kelurahan), its
// representative point otherwise. Built once: the areas never change.
func areaGeometries(g *mapdata.Gazetteer, d Districts) map[string]orb.Geometry {
	shapes := map[string]orb.MultiPolygon{}
	if d.Exact() {
		for _, k := range d.Districts() {
			shapes[k.Kelurahan.Code] = k.Shape
		}
		// A kecamatan is the dissolve of its kelurahan (valid polygons, not
		// its kelurahan stacked); if that fails it keeps its point.
		if dis, err := mapdata.Dissolve(d.Districts()); err == nil {
			maps.Copy(shapes, dis.Kecamatan)
		}
	}
	out := map[string]orb.Geometry{}
	for _, a := range append(append([]mapdata.Area{}, g.Kecamatan...), g.Kelurahan...) {
		out[a.Code] = a.Point
		if mp, ok := shapes[a.Code]; ok {
			out[a.Code] = mp
		}
	}
	return out
}
