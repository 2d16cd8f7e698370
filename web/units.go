package web

import (
	"net/http"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
)

// unitFeature renders a unit as a GeoJSON feature; a unit that never
// reported has a null geometry.
func (s *Server) unitFeature(u tracking.Unit) *geojson.Feature {
	var g orb.Geometry
	if u.HasPosition() {
		g = orb.Point{u.Position.Lon, u.Position.Lat}
	}
	f := geojson.NewFeature(g)
	f.ID = u.ID
	p := f.Properties
	p["callsign"] = u.Callsign
	p["type"] = u.Type
	p["agency"] = u.Agency
	p["status"] = u.Status
	p["liveness"] = u.Liveness
	p["reported_at"] = nil
	p["last_seen"] = nil
	p["speed_kmh"] = nil
	p["heading"] = nil
	p["accuracy_m"] = nil
	p["battery"] = nil
	p["tracker_id"] = nil
	if u.TrackerID != "" {
		p["tracker_id"] = u.TrackerID
	}
	p["disabled"] = u.Disabled
	p["kecamatan"] = nil // set where the unit is inside the city
	p["kelurahan"] = nil
	if u.HasPosition() {
		p["reported_at"] = u.Position.At.UTC().Format(time.RFC3339Nano)
		p["last_seen"] = u.LastSeen.UTC().Format(time.RFC3339Nano)
		p["speed_kmh"] = u.Position.SpeedKmh // null when the tracker did not say, never 0
		p["heading"] = u.Position.Heading
		p["accuracy_m"] = u.Position.AccuracyM
		if u.Position.Battery >= 0 {
			p["battery"] = u.Position.Battery
		}
		if loc, err := s.cfg.Districts.Locate(orb.Point{u.Position.Lon, u.Position.Lat}); err == nil {
			p["kecamatan"] = loc.Kecamatan
			p["kelurahan"] = loc.Kelurahan
		}
	}
	return f
}

func (s *Server) listUnits(w http.ResponseWriter, r *http.Request) {
	fc := geojson.NewFeatureCollection()
	for _, u := range s.cfg.Fleet.List() {
		fc.Append(s.unitFeature(u))
	}
	writeJSON(w, http.StatusOK, fc)
}

func (s *Server) getUnit(w http.ResponseWriter, r *http.Request) {
	u, err := s.cfg.Fleet.Get(r.PathValue("id"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.unitFeature(u))
}

type unitBody struct {
	Type     string `json:"type"`
	Agency   string `json:"agency"`
	Callsign string `json:"callsign"`
	// Trackers other than OwnTracks over MQTT; absent: unchanged, "": cleared.
	TrackerID       *string `json:"tracker_id"`       // OsmAnd/Traccar Client id, unique
	OwnTracksSecret *string `json:"owntracks_secret"` // OwnTracks encryption passphrase; never returned
}

// putUnit registers a unit (201) or updates one (200).
func (s *Server) putUnit(w http.ResponseWriter, r *http.Request) {
	var b unitBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Type == "" {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "field \"type\" is required"))
		return
	}
	if b.TrackerID != nil { // refused before registering: a new unit is never left half made
		if other, taken := s.cfg.Fleet.UnitByTrackerID(strings.TrimSpace(*b.TrackerID)); taken && other != r.PathValue("id") {
			s.writeError(w, r, tracking.Errorf(tracking.CodeConflict, "tracker id %q is already unit %q's: clear it there first", strings.TrimSpace(*b.TrackerID), other))
			return
		}
	}
	u, created, err := s.cfg.Fleet.Register(r.Context(), tracking.Registration{
		ID: r.PathValue("id"), Callsign: b.Callsign, Type: tracking.UnitType(b.Type), Agency: b.Agency,
	}, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.TrackerID != nil || b.OwnTracksSecret != nil {
		if u, err = s.cfg.Fleet.SetTrackers(r.Context(), u.ID, tracking.TrackerSettings{TrackerID: b.TrackerID, OwnTracksSecret: b.OwnTracksSecret}, actor(r)); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	status := http.StatusOK
	f := s.unitFeature(u)
	if created {
		status = http.StatusCreated
		w.Header().Set("Location", "/api/units/"+u.ID)
		s.log.Info("unit registered", "unit", u.ID, "type", u.Type, "agency", u.Agency)
		// The tracker's MQTT password, shown this once.
		secret, err := s.cfg.Fleet.IssueDeviceSecret(r.Context(), u.ID, actor(r))
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		f.ExtraMembers = map[string]any{"mqtt": mqttCredentials{Username: u.ID, Password: secret}}
	}
	writeJSON(w, status, f)
}

type mqttCredentials struct {
	Username string `json:"username"`
	Password string `json:"password"`
}

// rotateCredentials answers POST /api/units/{id}/credentials: a new MQTT
// password for the unit's tracker (the old one stops working), shown once.
func (s *Server) rotateCredentials(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	secret, err := s.cfg.Fleet.IssueDeviceSecret(r.Context(), id, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	s.log.Info("unit credentials rotated", "unit", id)
	writeJSON(w, http.StatusOK, map[string]any{"mqtt": mqttCredentials{Username: id, Password: secret}})
}

// setUnitStatus answers POST /api/units/{id}/status {"status"}: the
// dispatcher sets a unit's status for its crew (out of service, back
// available, …); an open assignment moves with it.
func (s *Server) setUnitStatus(w http.ResponseWriter, r *http.Request) {
	var b statusBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	u, err := s.cfg.Fleet.SetUnitStatus(r.Context(), r.PathValue("id"), tracking.Status(b.Status), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.unitFeature(u))
}

type unitPatch struct {
	Disabled *bool `json:"disabled"`
}

// patchUnit answers PATCH /api/units/{id} {"disabled": true|false}
// (admins): the unit as it is now. Disabling a disabled unit is a 200 that
// records nothing; a unit on an incident is a 409.
func (s *Server) patchUnit(w http.ResponseWriter, r *http.Request) {
	var b unitPatch
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Disabled == nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "field \"disabled\" (true or false) is required; to change anything else, PUT the unit"))
		return
	}
	u, err := s.cfg.Fleet.SetDisabled(r.Context(), r.PathValue("id"), *b.Disabled, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.unitFeature(u))
}

// deleteUnit answers DELETE /api/units/{id} (admins): 204; the unit leaves
// the fleet, its history stays.
func (s *Server) deleteUnit(w http.ResponseWriter, r *http.Request) {
	if err := s.cfg.Fleet.Delete(r.Context(), r.PathValue("id"), actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
