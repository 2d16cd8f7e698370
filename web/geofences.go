package web

import (
	"context"
	"io"
	"net/http"
	"net/url"

	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
	"siaga112/tracking/geofence"
)

// Geofences is what the web layer needs of the fences (the units service).
type Geofences interface {
	Geofences() []geofence.Fence
	AddGeofences(ctx context.Context, body []byte, actor string) ([]geofence.Fence, error)
	DeleteGeofence(ctx context.Context, id, actor string) error
}

// historyRoutes serves the units' tracks and region events, and the
// geofences, when they are configured.
func (s *Server) historyRoutes(mux routeRecorder) {
	if s.cfg.Tracks != nil {
		mux.HandleFunc("GET /api/units/{id}/track", s.guard(readers, s.getTrack))
	}
	if s.cfg.Regions != nil {
		mux.HandleFunc("GET /api/units/{id}/events", s.guard(readers, s.getRegionEvents))
	}
	if s.cfg.Geofences != nil {
		mux.HandleFunc("GET /api/geofences", s.guard(readers, s.listGeofences))
		mux.HandleFunc("GET /api/geofences/{id}", s.guard(readers, s.getGeofence))
		mux.HandleFunc("POST /api/geofences", s.guard(adminsOnly, s.addGeofences))
		mux.HandleFunc("DELETE /api/geofences/{id}", s.guard(adminsOnly, s.deleteGeofence))
	}
}

// maxGeofenceBody: a fence file is bigger than the API's other bodies.
const maxGeofenceBody = geofence.MaxFileBytes

func fenceCollection(fs []geofence.Fence) *geojson.FeatureCollection {
	fc := geojson.NewFeatureCollection()
	for i := range fs {
		fc.Append(fs[i].Feature())
	}
	return fc
}

// listGeofences answers GET /api/geofences: every fence as GeoJSON
// (circles as a Point with "radius_m").
func (s *Server) listGeofences(w http.ResponseWriter, r *http.Request) {
	writeGeoJSON(w, http.StatusOK, fenceCollection(s.cfg.Geofences.Geofences()))
}

// getGeofence answers GET /api/geofences/{id}: one fence as a GeoJSON
// Feature, or 404.
func (s *Server) getGeofence(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	for _, f := range s.cfg.Geofences.Geofences() {
		if f.ID == id {
			writeGeoJSON(w, http.StatusOK, f.Feature())
			return
		}
	}
	s.writeError(w, r, tracking.Errorf(tracking.CodeNotFound, "no geofence %q", truncate(id, 64)))
}

// addGeofences answers POST /api/geofences with a GeoJSON FeatureCollection
// of fences (the --geofences format): all are added (or replace the fence
// of the same id), or none; 201 with the fences added, and Location where
// they are read back: the fence itself when it is one, the list otherwise.
func (s *Server) addGeofences(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxGeofenceBody))
	if err != nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "the body is larger than %d MiB", maxGeofenceBody>>20))
		return
	}
	fs, err := s.cfg.Geofences.AddGeofences(r.Context(), body, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	loc := "/api/geofences"
	if len(fs) == 1 {
		loc += "/" + url.PathEscape(fs[0].ID)
	}
	w.Header().Set("Location", loc)
	writeGeoJSON(w, http.StatusCreated, fenceCollection(fs))
}

// deleteGeofence answers DELETE /api/geofences/{id}: 204.
func (s *Server) deleteGeofence(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Geofences.DeleteGeofence(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
