package web

import (
	"encoding/json"
	"net/http"
	"time"

	"siaga112/tracking"
)

// DefaultTrackWindow is the window of a track asked without from.
const DefaultTrackWindow = time.Hour

// Regions is what the web layer reads of the units' region events.
type Regions interface {
	RegionEvents(unitID string) []tracking.RegionEvent
}

// trackPoint is one fix as a GeoJSON Point feature; absent readings are
// null, never 0.
type trackFeature struct {
	Type       string         `json:"type"`
	Geometry   trackGeometry  `json:"geometry"`
	Properties map[string]any `json:"properties"`
}

type trackGeometry struct {
	Type        string `json:"type"`
	Coordinates any    `json:"coordinates"`
}

// getTrack answers GET /api/units/{id}/track?from=&to= (RFC 3339; default
// the last hour) as a GeoJSON FeatureCollection: a LineString of the
// track first (when it has two fixes or more), then each fix as a Point
// with its time, speed, heading and accuracy. At most MaxTrackPoints, the
// newest; "truncated" says when the window held more. A deleted unit's
// track is still there (its history is kept); an id that never had one is
// a 404.
func (s *Server) getTrack(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	u, unknown := s.cfg.Fleet.Get(id)
	if unknown != nil && (tracking.CodeOf(unknown) != tracking.CodeNotFound || tracking.ValidateID("unit id", id) != nil) {
		s.writeError(w, r, unknown)
		return
	}
	if unknown != nil {
		u = tracking.Unit{ID: id, Callsign: id} // deleted: only its history is left
	}
	from, to, err := trackWindow(r, time.Now())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	pts, err := s.cfg.Tracks.Track(r.Context(), u.ID, from, to, tracking.MaxTrackPoints+1)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if unknown != nil && len(pts) == 0 {
		s.writeError(w, r, unknown)
		return
	}
	truncated := len(pts) > tracking.MaxTrackPoints
	if truncated {
		pts = pts[1:]
	}
	features := make([]trackFeature, 0, len(pts)+1)
	if len(pts) >= 2 {
		line := make([][2]float64, len(pts))
		for i, p := range pts {
			line[i] = [2]float64{p.Lon, p.Lat}
		}
		features = append(features, trackFeature{Type: "Feature", Geometry: trackGeometry{"LineString", line}, Properties: map[string]any{
			"kind": "track", "unit_id": u.ID, "callsign": u.Callsign, "from": rfc3339(pts[0].At), "to": rfc3339(pts[len(pts)-1].At), "points": len(pts),
		}})
	}
	for _, p := range pts {
		features = append(features, trackFeature{Type: "Feature", Geometry: trackGeometry{"Point", [2]float64{p.Lon, p.Lat}}, Properties: map[string]any{
			"kind": "fix", "unit_id": u.ID, "at": rfc3339(p.At), "speed_kmh": p.SpeedKmh, "heading": p.Heading, "accuracy_m": p.AccuracyM,
		}})
	}
	writeGeoJSON(w, http.StatusOK, map[string]any{
		"type": "FeatureCollection", "unit_id": u.ID, "from": rfc3339(from), "to": rfc3339(to), "truncated": truncated, "features": features,
	})
}

// trackWindow reads from and to; to defaults to now, from to an hour
// before to.
func trackWindow(r *http.Request, now time.Time) (from, to time.Time, err error) {
	to = now
	if v := r.URL.Query().Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, tracking.Errorf(tracking.CodeInvalid, "to %q is not an RFC 3339 time such as 2026-11-27T08:00:00Z", clipQuery(v))
		}
	}
	from = to.Add(-DefaultTrackWindow)
	if v := r.URL.Query().Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, tracking.Errorf(tracking.CodeInvalid, "from %q is not an RFC 3339 time such as 2026-11-27T07:00:00Z", clipQuery(v))
		}
	}
	if !from.Before(to) {
		return from, to, tracking.Errorf(tracking.CodeInvalid, "from must be before to")
	}
	return from, to, nil
}

func clipQuery(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func rfc3339(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// writeGeoJSON answers GeoJSON with its own media type (RFC 7946 §12).
func writeGeoJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/geo+json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

// regionEvent is a region event as the API shows it.
type regionEvent struct {
	UnitID    string            `json:"unit_id"`
	Kind      string            `json:"kind"`
	Region    string            `json:"region"`
	RegionID  string            `json:"region_id"`
	Trigger   string            `json:"trigger"`
	At        string            `json:"at"`
	Lon       *float64          `json:"lon"`
	Lat       *float64          `json:"lat"`
	AccuracyM tracking.Optional `json:"accuracy_m"`
}

// getRegionEvents answers GET /api/units/{id}/events: the unit's recent
// region events (geofence enter/leave and its tracker's own transitions),
// oldest first, optionally within from/to.
func (s *Server) getRegionEvents(w http.ResponseWriter, r *http.Request) {
	u, err := s.cfg.Fleet.Get(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	q := r.URL.Query()
	var from, to time.Time
	if q.Get("from") != "" || q.Get("to") != "" {
		if from, to, err = trackWindow(r, time.Now()); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	out := []regionEvent{}
	for _, e := range s.cfg.Regions.RegionEvents(u.ID) {
		if !from.IsZero() && (e.At.Before(from) || !e.At.Before(to)) {
			continue
		}
		out = append(out, regionView(e))
	}
	writeJSON(w, http.StatusOK, map[string]any{"unit_id": u.ID, "events": out})
}

func regionView(e tracking.RegionEvent) regionEvent {
	re := regionEvent{UnitID: e.UnitID, Kind: string(e.Kind), Region: e.Region, RegionID: e.RegionID, Trigger: e.Trigger, At: rfc3339(e.At), AccuracyM: e.AccuracyM}
	if e.HasPosition {
		lon, lat := e.Lon, e.Lat
		re.Lon, re.Lat = &lon, &lat
	}
	return re
}
