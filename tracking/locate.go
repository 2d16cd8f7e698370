package tracking

import (
	"errors"

	"github.com/paulmach/orb"

	"siaga112/geo"
)

// Locator places a point in the city's districts; *geo.DistrictIndex is one.
type Locator interface {
	Locate(p orb.Point) (geo.Location, error)
}

// Place is an administrative area an incident lies in: its Kemendagri
// code and name.
type Place struct {
	Code string `json:"code"`
	Name string `json:"name"`
}

// Location is where an incident is: its kelurahan and kecamatan.
type Location struct {
	Kecamatan Place `json:"kecamatan"`
	Kelurahan Place `json:"kelurahan"`
	// Approximate: the point was not found inside a polygon: no official
	// boundaries are loaded, or it lies in none and was given to the
	// nearest, DistanceM metres away (see geo.Location).
	Approximate bool     `json:"approximate"`
	DistanceM   *float64 `json:"distance_m,omitempty"`
}

// Locate asks l where p is and turns "nowhere" into an outside_area error
// with a sentence a call-taker can act on.
func Locate(l Locator, p orb.Point) (Location, error) {
	g, err := l.Locate(p)
	if errors.Is(err, geo.ErrOutside) {
		return Location{}, Errorf(CodeOutsideArea,
			"the point (lat %.5f, lon %.5f) is outside Kota Serang's kecamatan: a call from there belongs to the 112 service of that area", p[1], p[0])
	}
	return Location{
		Kecamatan:   Place{Code: g.Kecamatan.Code, Name: g.Kecamatan.Name},
		Kelurahan:   Place{Code: g.Kelurahan.Code, Name: g.Kelurahan.Name},
		Approximate: g.Approximate,
		DistanceM:   g.DistanceM,
	}, err
}

// CheckLatLon refuses coordinates geo.ValidLatLon does not accept, with a
// sentence naming the fields.
func CheckLatLon(lat, lon float64) error {
	if !geo.ValidLatLon(lat, lon) {
		return Errorf(CodeInvalid, "lat and lon must be decimal degrees (lat -90..90, lon -180..180), not %g, %g", lat, lon)
	}
	return nil
}
