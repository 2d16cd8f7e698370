package geo

// The one rule for coordinates in decimal degrees: latitude within -90..90,
// longitude within -180..180, so neither NaN nor an infinity. Whatever
// reads coordinates from outside asks it, directly or through
// tracking.CheckLatLon: request bodies, fixes, region events, the AML
// decoders, boundary and geofence files, the district index, snapping,
// the position writer; nothing writes the ranges again.

// ValidLat says whether lat is a latitude in decimal degrees.
func ValidLat(lat float64) bool { return lat >= -90 && lat <= 90 }

// ValidLon says whether lon is a longitude in decimal degrees.
func ValidLon(lon float64) bool { return lon >= -180 && lon <= 180 }

// ValidLatLon says whether lat, lon is a position in decimal degrees.
func ValidLatLon(lat, lon float64) bool { return ValidLat(lat) && ValidLon(lon) }
