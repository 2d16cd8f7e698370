package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// Isochrones draws where units reach in a time (dispatch.Service).
type Isochrones interface {
	Isochrones(t tracking.UnitType, minutes []float64) ([]dispatch.Isochrone, error)
}

// isochrones answers GET /api/coverage/isochrones?type=ambulance&minutes=3,6:
// a FeatureCollection, one feature per value of minutes.
func (s *Server) isochrones(src Isochrones) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		t := tracking.UnitType(q.Get("type"))
		if _, err := tracking.ParseUnitType(string(t)); err != nil {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "type must be one of %s, not %q", unitTypeList(), q.Get("type")))
			return
		}
		raw := q.Get("minutes")
		var minutes []float64
		for _, part := range strings.Split(raw, ",") {
			m, err := strconv.ParseFloat(strings.TrimSpace(part), 64)
			if err != nil || !(m >= 1 && m <= dispatch.MaxIsochroneMinutes) || len(minutes) == dispatch.MaxIsochrones {
				s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid,
					"minutes must be 1 to %d comma-separated numbers, each from 1 to %d (e.g. minutes=3,6), not %q",
					dispatch.MaxIsochrones, dispatch.MaxIsochroneMinutes, raw))
				return
			}
			minutes = append(minutes, m)
		}
		isos, err := src.Isochrones(t, minutes)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		fc := geojson.NewFeatureCollection()
		for _, iso := range isos {
			f := geojson.NewFeature(iso.Area)
			f.Properties["minutes"] = iso.Minutes
			f.Properties["type"] = string(iso.Type)
			f.Properties["units"] = iso.Units
			f.Properties["area_km2"] = iso.AreaKm2
			f.Properties["eta_model"] = iso.EtaModel
			fc.Append(f)
		}
		writeJSON(w, http.StatusOK, fc)
	}
}
