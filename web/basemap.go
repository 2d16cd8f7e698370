package web

import (
	"bytes"
	"net/http"
	"strconv"
	"strings"
	"time"

	"siaga112/mapdata/basemap"
	"siaga112/tracking"
)

// BaseMap is the offline base map drawn from the OSM extract
// (mapdata/basemap): its tiles, and their validator.
type BaseMap interface {
	Tile(z, x, y int) (basemap.Tile, error)
	ETag() string
}

const (
	// BaseMapURL is where the page fetches the offline map's tiles.
	BaseMapURL = "/basemap/{z}/{x}/{y}.pbf"
	// BaseMapAttribution credits the extract's makers.
	BaseMapAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
	// baseMapMaxAge: tiles change only with the extract (a restart), and
	// then their ETag changes too; an hour spares the centre's network.
	baseMapMaxAge = "private, max-age=3600"
)

var mvtType = []string{"application/vnd.mapbox-vector-tile"}

// baseMapConfig is the base map's part of GET /api/config.
type baseMapConfig struct {
	URL         string `json:"url"`
	Format      string `json:"format"`
	Attribution string `json:"attribution"`
}

// baseMapTile answers GET /basemap/{z}/{x}/{y}.pbf: a Mapbox Vector Tile,
// gzipped when the client takes it; an empty tile (200, no bytes)
// outside the extract.
func (s *Server) baseMapTile(w http.ResponseWriter, r *http.Request) {
	if s.cfg.BaseMap == nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeNotFound, "there is no offline base map: the server was started without --osm"))
		return
	}
	z, x, y, err := parseTilePath(r.PathValue("z"), r.PathValue("x"), r.PathValue("y"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	t, err := s.cfg.BaseMap.Tile(z, x, y)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	h := w.Header()
	h["Content-Type"] = mvtType
	h["Etag"] = []string{s.cfg.BaseMap.ETag()}
	h.Set("Cache-Control", baseMapMaxAge)
	h.Set("Vary", "Accept-Encoding")
	body := t.Data
	if t.Gzip != nil && acceptsGzip(r) {
		h.Set("Content-Encoding", "gzip")
		body = t.Gzip
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// baseMapFallback answers the rest of /basemap/ as the API answers: a
// tile's path with another method 405 with Allow, any other path 404.
func baseMapFallback(w http.ResponseWriter, r *http.Request) {
	if strings.Count(strings.TrimPrefix(r.URL.Path, "/basemap/"), "/") == 2 {
		w.Header().Set("Allow", "GET, HEAD")
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: r.Method + " " + r.URL.Path + " is not allowed; use GET, HEAD"})
		return
	}
	writeJSON(w, http.StatusNotFound, errorBody{Error: "no base map tile at " + r.URL.Path + ": tiles are " + BaseMapURL})
}

// parseTilePath reads {z}, {x} and {y}.pbf, refusing what names no tile.
func parseTilePath(zs, xs, ys string) (z, x, y int, err error) {
	ys, ok := strings.CutSuffix(ys, ".pbf")
	if !ok {
		return 0, 0, 0, tracking.Errorf(tracking.CodeInvalid, "base map tiles are /basemap/{z}/{x}/{y}.pbf; %q does not end in .pbf", ys)
	}
	var n [3]int
	for i, s := range [3]string{zs, xs, ys} {
		v, err := strconv.Atoi(s)
		if err != nil || s == "" || s[0] == '+' {
			return 0, 0, 0, tracking.Errorf(tracking.CodeInvalid, "tile zoom, x and y are whole numbers, not %q", s)
		}
		n[i] = v
	}
	if err := basemap.CheckTile(n[0], n[1], n[2]); err != nil {
		return 0, 0, 0, tracking.Errorf(tracking.CodeInvalid, "%v", err)
	}
	return n[0], n[1], n[2], nil
}

// acceptsGzip: the client lists gzip in Accept-Encoding, not with q=0.
func acceptsGzip(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if strings.EqualFold(strings.TrimSpace(name), "gzip") {
			q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
			return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
		}
	}
	return false
}
