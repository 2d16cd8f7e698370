package tracking

import (
	"context"
	"time"
)

// TrackPoint is one fix of a unit's past track, its readings optional.
type TrackPoint struct {
	Lon, Lat  float64
	At        time.Time // the tracker's fix time
	SpeedKmh  Optional
	Heading   Optional
	AccuracyM Optional
}

// MaxTrackPoints bounds one track answer; a longer window is cut to its
// newest points and says so.
const MaxTrackPoints = 10_000

// TrackReader answers a unit's fixes with from <= At < to, oldest first,
// at most limit of them (the newest when there are more).
type TrackReader interface {
	Track(ctx context.Context, unitID string, from, to time.Time, limit int) ([]TrackPoint, error)
}

// PositionTrackPoint is a Position's place in a track; absent readings
// stay absent.
func PositionTrackPoint(p Position) TrackPoint {
	return TrackPoint{Lon: p.Lon, Lat: p.Lat, At: p.At, SpeedKmh: p.SpeedKmh, Heading: p.Heading, AccuracyM: p.AccuracyM}
}
