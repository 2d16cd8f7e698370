package tracking

import "context"

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

// GeofenceStore keeps the geofences made through the API.
type GeofenceStore interface {
	Geofences(ctx context.Context) ([]StoredGeofence, error)
	// SaveGeofences writes all of gs or none (an id already stored is replaced).
	SaveGeofences(ctx context.Context, gs []StoredGeofence) error
	// DeleteGeofence reports whether a geofence was there.
	DeleteGeofence(ctx context.Context, id string) (bool, error)
}
