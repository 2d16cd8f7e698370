package postgres

import (
	"math"
	"sync/atomic"

	"siaga112/geo"
	"siaga112/tracking"
)

// The optional readings of a fix as the columns of unit_positions: NULL
// when the tracker did not give them or they cannot be true (the table's
// CHECKs would refuse the whole batch). Read only through these, so that
// the Position's representation of "absent" can change in one place.

func speedOf(p tracking.Position) *float32 {
	return reading(p.SpeedKmh, func(v float64) bool { return v >= 0 })
}

func headingOf(p tracking.Position) *float32 {
	return reading(p.Heading, func(v float64) bool { return v >= 0 && v < 360 })
}

// accuracyOf: an accuracy of 0 m is no accuracy at all.
func accuracyOf(p tracking.Position) *float32 {
	return reading(p.AccuracyM, func(v float64) bool { return v > 0 })
}

func reading(o tracking.Optional, ok func(float64) bool) *float32 {
	v := o.Value
	if !o.Valid || math.IsNaN(v) || math.IsInf(v, 0) || !ok(v) {
		return nil
	}
	f := float32(v)
	return &f
}

// possible keeps the fixes unit_positions takes (WGS 84 ranges, not Null
// Island) and counts the others as dropped. The ingests refuse those
// before; this keeps one bad fix from sending a whole batch to the dead
// letters.
func possible(batch []posRow, dropped *atomic.Uint64) []posRow {
	out := batch[:0]
	for _, r := range batch {
		if !geo.ValidLatLon(r.p.Lat, r.p.Lon) || (r.p.Lon == 0 && r.p.Lat == 0) {
			dropped.Add(1)
			continue
		}
		out = append(out, r)
	}
	return out
}
