package geo

import "math"

// ValidLatLon is the one rule for coordinates in decimal degrees: finite,
// latitude within -90..90, longitude within -180..180. Every edge that
// takes coordinates (HTTP bodies, fixes, the district index) asks it.
func ValidLatLon(lat, lon float64) bool {
	return !math.IsNaN(lat) && !math.IsNaN(lon) && lat >= -90 && lat <= 90 && lon >= -180 && lon <= 180
}
