package tracking

// StoredGeofence is a geofence made through the API, as a store keeps it.
// The geofence package parses and indexes it; the store only keeps it and
// gives GIS clients its shape.
type StoredGeofence struct {
	ID, Name, Kind, Agency string
	RadiusM                float64 // a circle's radius; 0 for a polygon
	Feature                []byte  // the GeoJSON Feature, read back at start
	Geometry               []byte  // its GeoJSON geometry (a circle: the centre)
	CreatedBy              string
}
