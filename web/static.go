package web

import (
	"embed"
	"io/fs"
	"net/http"
	"strings"
)

// The map page: plain ES modules and CSS, no build step; Leaflet's built
// files (with its licence) under static/vendor, copied from npm by
// `npm run vendor`.
//
//go:embed static
var static embed.FS

// Default base map: OpenStreetMap's standard tiles.
const (
	DefaultTiles            = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
	DefaultTilesAttribution = `&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors`
)

func staticFiles() http.Handler {
	sub, err := fs.Sub(static, "static")
	if err != nil {
		panic(err)
	}
	tags, err := fileTags(sub)
	if err != nil {
		panic(err)
	}
	files := http.FileServer(http.FS(stampedFS{sub, startedAt}))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// No directory listings: a folder without index.html is not found.
		if p := r.URL.Path; p != "/" && strings.HasSuffix(p, "/") {
			if _, err := fs.Stat(sub, strings.Trim(p, "/")+"/index.html"); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		// The page changes with the binary: let the browser revalidate.
		w.Header().Set("Cache-Control", "no-cache")
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" || strings.HasSuffix(name, "/") {
			name += "index.html"
		}
		if tag, ok := tags[name]; ok {
			w.Header()["Etag"] = []string{tag} // the file server answers If-None-Match with it
		}
		files.ServeHTTP(w, r)
	})
}

type configBody struct {
	Tiles            string `json:"tiles"`
	TilesAttribution string `json:"tiles_attribution"`
	Approximate      bool   `json:"approximate"`
	LiveBatchMs      int64  `json:"live_batch_ms"`
	DispatchTargetS  int64  `json:"dispatch_target_s"` // --dispatch-target

	// BaseMap is the offline map drawn from --osm; absent without it.
	BaseMap *baseMapConfig `json:"basemap,omitempty"`
}

// config answers GET /api/config: what the page needs to start.
func (s *Server) config(w http.ResponseWriter, r *http.Request) {
	body := configBody{
		Tiles: s.cfg.Tiles, TilesAttribution: s.cfg.TilesAttribution,
		Approximate: !s.cfg.Districts.Exact(), LiveBatchMs: UnitBatchEvery.Milliseconds(),
		DispatchTargetS: int64(s.cfg.DispatchTarget.Seconds()),
	}
	if s.cfg.BaseMap != nil {
		body.BaseMap = &baseMapConfig{URL: BaseMapURL, Format: "mvt", Attribution: BaseMapAttribution}
	}
	writeJSON(w, http.StatusOK, body)
}
