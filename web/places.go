package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/mapdata/places"
	"siaga112/tracking"
)

// PlaceSearch is what the web layer needs of place search.
type PlaceSearch interface {
	Search(q string, opt places.Options) []places.Result
	Reverse(pt orb.Point) (street, place *places.Near)
}

// PlaceBook is what the web layer needs of the centre's place book.
type PlaceBook interface {
	Get(id string) (tracking.PlaceEntry, error)
	Create(ctx context.Context, f tracking.PlaceFields, actor string) (tracking.PlaceEntry, bool, error)
	Update(ctx context.Context, id string, f tracking.PlaceFields, actor string) (tracking.PlaceEntry, bool, error)
	Delete(ctx context.Context, id, actor string) (bool, error)
}

// Limits of GET /api/places.
const (
	maxPlaceQuery = 200
	maxPlaceLimit = 50
)

// placeRoutes serves search, reverse and the book when they are configured.
func (s *Server) placeRoutes(mux routeRecorder) {
	if s.cfg.Places != nil {
		mux.HandleFunc("GET /api/places", s.guard(readers, s.searchPlaces))
		mux.HandleFunc("GET /api/places/reverse", s.guard(readers, s.reversePlace))
	}
	if s.cfg.PlaceBook != nil {
		mux.HandleFunc("POST /api/places", s.guard(dispatchers, s.createPlace))
		mux.HandleFunc("GET /api/places/{id}", s.guard(readers, s.getPlace))
		mux.HandleFunc("PATCH /api/places/{id}", s.guard(dispatchers, s.patchPlace))
		mux.HandleFunc("DELETE /api/places/{id}", s.guard(dispatchers, s.deletePlace))
	}
}

// searchPlaces answers GET /api/places?q=&limit=&lat=&lon=: a
// FeatureCollection, best first.
func (s *Server) searchPlaces(w http.ResponseWriter, r *http.Request) {
	qs := r.URL.Query()
	q := qs.Get("q")
	if strings.TrimSpace(q) == "" {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "query parameter \"q\" is missing or blank: say what to find, e.g. q=jl+sudirman"))
		return
	}
	if err := tracking.CheckText("q", q, maxPlaceQuery, false); err != nil {
		s.writeError(w, r, err)
		return
	}
	opt := places.Options{Limit: 10}
	if raw := qs.Get("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > maxPlaceLimit {
			s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "query parameter \"limit\" is %q; use a whole number from 1 to %d", clipParam(raw), maxPlaceLimit))
			return
		}
		opt.Limit = n
	}
	if qs.Has("lat") || qs.Has("lon") {
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
		opt.Bias = &orb.Point{lon, lat}
	}
	fc := geojson.NewFeatureCollection()
	fc.Features = make([]*geojson.Feature, 0, opt.Limit)
	for _, res := range s.cfg.Places.Search(q, opt) {
		f := geojson.NewFeature(res.Point)
		f.ID = res.ID
		f.Properties = geojson.Properties{"name": res.Name, "matched": nil, "kind": res.Kind, "source": res.Source, "score": res.Score}
		if res.Matched != "" {
			f.Properties["matched"] = res.Matched
		}
		if res.Category != "" {
			f.Properties["category"] = res.Category
		}
		if opt.Bias != nil {
			f.Properties["distance_m"] = places.RoundMetres(res.DistanceM)
		}
		s.placeAreas(f.Properties, res.Point, res.Kind)
		fc.Append(f)
	}
	writeJSON(w, http.StatusOK, fc)
}

// placeAreas sets the kelurahan and kecamatan of a point (null outside
// the city; a kecamatan has no kelurahan).
func (s *Server) placeAreas(p geojson.Properties, pt orb.Point, kind string) {
	p["kelurahan"], p["kecamatan"] = nil, nil
	loc, err := tracking.Locate(s.cfg.Districts, pt)
	if err != nil {
		return
	}
	p["kecamatan"] = loc.Kecamatan
	if kind != places.KindKecamatan {
		p["kelurahan"] = loc.Kelurahan
	}
}

func clipParam(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}

type nearStreet struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	DistanceM int    `json:"distance_m"`
}

type nearPlace struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Kind      string `json:"kind"`
	Source    string `json:"source"`
	DistanceM int    `json:"distance_m"`
}

type reverseBody struct {
	Street      *nearStreet    `json:"street"`
	Place       *nearPlace     `json:"place"`
	Kelurahan   tracking.Place `json:"kelurahan"`
	Kecamatan   tracking.Place `json:"kecamatan"`
	Approximate bool           `json:"approximate"`
}

// reversePlace answers GET /api/places/reverse?lat=&lon=: the nearest
// named street (200 m) and POI or book entry (100 m), and the areas.
func (s *Server) reversePlace(w http.ResponseWriter, r *http.Request) {
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
	pt := orb.Point{lon, lat}
	loc, err := tracking.Locate(s.cfg.Districts, pt)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	body := reverseBody{Kelurahan: loc.Kelurahan, Kecamatan: loc.Kecamatan, Approximate: loc.Approximate}
	street, place := s.cfg.Places.Reverse(pt)
	if street != nil {
		body.Street = &nearStreet{ID: street.ID, Name: street.Name, DistanceM: places.RoundMetres(street.DistanceM)}
	}
	if place != nil {
		body.Place = &nearPlace{ID: place.ID, Name: place.Name, Kind: place.Kind, Source: place.Source, DistanceM: places.RoundMetres(place.DistanceM)}
	}
	writeJSON(w, http.StatusOK, body)
}

// placeFeature is a book entry as the API answers it.
func (s *Server) placeFeature(e tracking.PlaceEntry, persisted *bool) *geojson.Feature {
	f := geojson.NewFeature(orb.Point{e.Lon, e.Lat})
	f.ID = places.SourcePlacebook + ":" + e.ID
	aliases := e.Aliases
	if aliases == nil {
		aliases = []string{}
	}
	f.Properties = geojson.Properties{"name": e.Name, "aliases": aliases, "kind": e.Kind, "source": places.SourcePlacebook,
		"created_at": e.CreatedAt, "created_by": e.CreatedBy, "updated_at": e.UpdatedAt, "updated_by": e.UpdatedBy}
	s.placeAreas(f.Properties, f.Geometry.(orb.Point), e.Kind)
	if persisted != nil {
		f.ExtraMembers = geojson.Properties{"persisted": *persisted}
	}
	return f
}

// placeID reads {id}: a malformed one names no entry.
func placeID(r *http.Request) (string, error) {
	id := r.PathValue("id")
	if !tracking.ValidPlaceID(id) {
		return "", tracking.Errorf(tracking.CodeNotFound, "place %q is not in the place book (ids are letters, digits and -)", clipParam(id))
	}
	return id, nil
}

// createPlace answers POST /api/places: 201, Location, the entry.
func (s *Server) createPlace(w http.ResponseWriter, r *http.Request) {
	var f tracking.PlaceFields
	if err := decodeBody(w, r, &f); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, persisted, err := s.cfg.PlaceBook.Create(r.Context(), f, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/places/"+e.ID)
	writeJSON(w, http.StatusCreated, s.placeFeature(e, &persisted))
}

// getPlace answers GET /api/places/{id}.
func (s *Server) getPlace(w http.ResponseWriter, r *http.Request) {
	id, err := placeID(r)
	if err == nil {
		var e tracking.PlaceEntry
		if e, err = s.cfg.PlaceBook.Get(id); err == nil {
			writeJSON(w, http.StatusOK, s.placeFeature(e, nil))
			return
		}
	}
	s.writeError(w, r, err)
}

// patchPlace answers PATCH /api/places/{id}: the fields given change.
func (s *Server) patchPlace(w http.ResponseWriter, r *http.Request) {
	id, err := placeID(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	var f tracking.PlaceFields
	if err := decodeBody(w, r, &f); err != nil {
		s.writeError(w, r, err)
		return
	}
	e, persisted, err := s.cfg.PlaceBook.Update(r.Context(), id, f, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, s.placeFeature(e, &persisted))
}

// deletePlace answers DELETE /api/places/{id}: 204.
func (s *Server) deletePlace(w http.ResponseWriter, r *http.Request) {
	id, err := placeID(r)
	if err == nil {
		if _, err = s.cfg.PlaceBook.Delete(r.Context(), id, actor(r)); err == nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
	}
	s.writeError(w, r, err)
}
