// Package sim moves a simulated fleet around Kota Serang: the demo run and
// the load generator use it. It does no I/O; callers publish what it yields.
package sim

import (
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	orbgeo "github.com/paulmach/orb/geo"

	"siaga112/tracking"
)

// Area is where simulated units drive: roughly Kota Serang's extent.
var Area = orb.Bound{Min: orb.Point{106.07, -6.21}, Max: orb.Point{106.25, -6.02}}

// kind is how a unit type is named and driven.
type kind struct {
	typ      tracking.UnitType
	prefix   string
	agency   string
	speedKmh float64 // cruising speed
}

var kinds = []kind{
	{tracking.Ambulance, "AMB", "dinkes", 45},
	{tracking.FireTruck, "DMK", "damkar", 40},
	{tracking.Hearse, "JNZ", "dinsos", 35},
	{tracking.Rescue, "BPBD", "bpbd", 40},
	{tracking.Police, "POL", "polres", 50},
}

// Vehicle is one simulated unit.
type Vehicle struct {
	Reg    tracking.Registration
	pos    orb.Point
	target orb.Point
	speed  float64 // km/h
	last   time.Time
	call   atomic.Pointer[orb.Point] // where it was sent, if it was
}

// Send makes the vehicle drive to p and stay there, as a crew answering a
// call would; Release puts it back on its rounds. Both are safe to call
// while another goroutine drives the fleet.
func (v *Vehicle) Send(p orb.Point) { v.call.Store(&p) }

// Release ends a Send.
func (v *Vehicle) Release() { v.call.Store(nil) }

// Fleet is a simulated fleet. It is not goroutine-safe: give each goroutine
// its own vehicles (Step touches only the one it is given).
type Fleet struct {
	Vehicles []*Vehicle
	rng      *rand.Rand
	// Waypoints, when set, are where vehicles drive between (for example
	// kelurahan points, so the fleet stays in town); else random points of Area.
	Waypoints []orb.Point
}

// New makes n vehicles, the types taken in turn, at random points of Area,
// starting at t0. Ids look like AMB-0001.
func New(n int, seed uint64, t0 time.Time) *Fleet {
	rng := rand.New(rand.NewPCG(seed, seed^0x5ea6a112))
	f := &Fleet{rng: rng}
	for i := range n {
		k := kinds[i%len(kinds)]
		v := &Vehicle{
			Reg: tracking.Registration{
				ID:       fmt.Sprintf("%s-%04d", k.prefix, i/len(kinds)+1),
				Callsign: fmt.Sprintf("%s %d", k.prefix, i/len(kinds)+1),
				Type:     k.typ,
				Agency:   k.agency,
			},
			pos:   randomPoint(rng),
			speed: k.speedKmh * (0.7 + 0.6*rng.Float64()),
			last:  t0,
		}
		v.target = randomPoint(rng)
		f.Vehicles = append(f.Vehicles, v)
	}
	return f
}

func (f *Fleet) destination() orb.Point {
	if len(f.Waypoints) == 0 {
		return randomPoint(f.rng)
	}
	return f.Waypoints[f.rng.IntN(len(f.Waypoints))]
}

func randomPoint(rng *rand.Rand) orb.Point {
	return orb.Point{
		Area.Min[0] + rng.Float64()*(Area.Max[0]-Area.Min[0]),
		Area.Min[1] + rng.Float64()*(Area.Max[1]-Area.Min[1]),
	}
}

// Step drives v toward its current destination until now and returns its
// fix. Fix times strictly increase per vehicle (by at least 1 ms), however
// often Step is called. Movement uses orb's great-circle bearing and
// destination-point functions.
func (f *Fleet) Step(v *Vehicle, now time.Time) tracking.Position {
	if !now.After(v.last) {
		now = v.last.Add(time.Millisecond)
	}
	now = now.Truncate(time.Millisecond)
	if !now.After(v.last) {
		now = v.last.Add(time.Millisecond)
	}
	dist := v.speed / 3.6 * now.Sub(v.last).Seconds() // metres
	v.last = now
	speed := v.speed
	target, called := v.target, v.call.Load()
	if called != nil {
		target = *called
	}
	bearing := orbgeo.Bearing(v.pos, target)
	switch left := orbgeo.DistanceHaversine(v.pos, target); {
	case dist < left:
		v.pos = orbgeo.PointAtBearingAndDistance(v.pos, bearing, dist)
	case called != nil: // on scene: stay
		v.pos, speed, bearing = target, 0, 0
	default:
		v.pos = target
		v.target = f.destination()
	}
	heading := bearing
	if heading < 0 {
		heading += 360
	}
	return tracking.Position{
		Lon: v.pos[0], Lat: v.pos[1], At: now,
		SpeedKmh: tracking.Some(speed), Heading: tracking.Some(heading), AccuracyM: tracking.Some(5 + float64(f.rng.IntN(10))),
		Battery: 60 + f.rng.IntN(40),
	}
}

// Split divides the vehicles into k fleets, each with its own random source,
// so k goroutines can drive them at once.
func (f *Fleet) Split(k int) []*Fleet {
	k = max(1, min(k, len(f.Vehicles)))
	out := make([]*Fleet, k)
	for i := range out {
		out[i] = &Fleet{rng: rand.New(rand.NewPCG(f.rng.Uint64(), uint64(i))), Waypoints: f.Waypoints}
	}
	for i, v := range f.Vehicles {
		out[i%k].Vehicles = append(out[i%k].Vehicles, v)
	}
	return out
}
