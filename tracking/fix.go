package tracking

import (
	"encoding/json"
	"math"
	"strconv"
	"time"

	"siaga112/geo"
)

// Optional is a reading a tracker may leave out (speed, heading, accuracy,
// altitude, battery). Absent stays absent: it is never stored as 0, which
// would draw a stopped unit heading north with perfect accuracy.
type Optional struct {
	Value float64
	Valid bool
}

// Some is a present reading.
func Some(v float64) Optional { return Optional{Value: v, Valid: true} }

// MarshalJSON writes the value, or null when absent. Readings are plain
// decimals (the live feed writes thousands a second): only values
// encoding/json would write with an exponent go through it.
func (o Optional) MarshalJSON() ([]byte, error) {
	if !o.Valid {
		return []byte("null"), nil
	}
	if a := math.Abs(o.Value); a == 0 || (a >= 1e-6 && a < 1e21) {
		return strconv.AppendFloat(make([]byte, 0, 24), o.Value, 'f', -1, 64), nil
	}
	return json.Marshal(o.Value)
}

// UnmarshalJSON reads a number, or null as absent.
func (o *Optional) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*o = Optional{}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = Some(v)
	return nil
}

// Or returns the value, or def when absent.
func (o Optional) Or(def float64) float64 {
	if !o.Valid {
		return def
	}
	return o.Value
}

// Fix is one position as a tracker reported it, with its optional readings
// kept optional. Every ingest (OwnTracks over MQTT or HTTP, OsmAnd, Traccar
// Client) produces one.
type Fix struct {
	Lon, Lat  float64   // WGS 84 degrees
	At        time.Time // fix time, from the tracker's clock
	SpeedKmh  Optional  // km/h, ≥ 0
	Heading   Optional  // degrees clockwise from north, [0, 360)
	AccuracyM Optional  // horizontal accuracy in metres, ≥ 0
	AltitudeM Optional  // metres above the WGS 84 ellipsoid or sea level, as the device says
	Battery   Optional  // percent, 0–100
}

// EpochSeconds reads a time given in Unix seconds, fractions kept to the
// nearest millisecond; false unless that millisecond is after the epoch
// and before the year 10000 (0.0004 is the epoch itself: no time). Every
// tracker protocol's "seconds since the epoch" goes through it.
func EpochSeconds(s float64) (time.Time, bool) {
	ms := math.Round(s * 1000)
	if !(ms > 0 && ms < 253402300800000) {
		return time.Time{}, false
	}
	return time.UnixMilli(int64(ms)).UTC(), true
}

// MaxFixAhead is how far ahead of the server's clock a fix time may be
// before it is refused. A fix is never newer than its receipt, so anything
// further ahead is a wrong clock (or time zone), and accepting it would make
// every correct fix after it look like history: the unit would freeze. A
// fix ahead by less is taken as of its receipt (units.Service.ApplyFix).
const MaxFixAhead = 5 * time.Minute

// aheadText says MaxFixAhead in words, for refusals.
const aheadText = "5 minutes"

// FixProblem says why a fix is refused; "" when it is fine. Each is a
// metric label in the ingests.
type FixProblem string

const (
	FixOK         FixProblem = ""
	FixOutOfRange FixProblem = "out_of_range" // lat/lon not finite WGS 84 degrees, or no time
	FixNullIsland FixProblem = "null_island"  // lat 0, lon 0: a receiver with no fix
	FixFuture     FixProblem = "future"       // more than MaxFixAhead ahead of the server
)

// Check says whether a fix may be applied at server time now, and why not.
func (f Fix) Check(now time.Time) (FixProblem, string) {
	if !geo.ValidLatLon(f.Lat, f.Lon) {
		return FixOutOfRange, "lat/lon outside -90..90/-180..180"
	}
	if f.Lat == 0 && f.Lon == 0 {
		return FixNullIsland, "lat 0, lon 0 is a receiver without a fix"
	}
	if f.At.IsZero() || f.At.Unix() <= 0 {
		return FixOutOfRange, "the fix has no time"
	}
	if f.At.Sub(now) > MaxFixAhead {
		return FixFuture, "fix time " + f.At.UTC().Format(time.RFC3339) + " is more than " + aheadText + " ahead of the server clock"
	}
	return FixOK, ""
}

// Normalize drops readings that cannot be true: non-finite values, a
// negative speed, heading or accuracy (trackers send -1 for "unknown"), a
// battery outside 0–100. A heading of 360 or more is wrapped.
func (f Fix) Normalize() Fix {
	f.SpeedKmh = keepIf(f.SpeedKmh, func(v float64) bool { return v >= 0 })
	f.AccuracyM = keepIf(f.AccuracyM, func(v float64) bool { return v >= 0 })
	f.AltitudeM = keepIf(f.AltitudeM, func(float64) bool { return true })
	f.Battery = keepIf(f.Battery, func(v float64) bool { return v >= 0 && v <= 100 })
	f.Heading = keepIf(f.Heading, func(v float64) bool { return v >= 0 })
	if f.Heading.Valid {
		f.Heading.Value = math.Mod(f.Heading.Value, 360)
	}
	return f
}

func keepIf(o Optional, ok func(float64) bool) Optional {
	if !o.Valid || math.IsNaN(o.Value) || math.IsInf(o.Value, 0) || !ok(o.Value) {
		return Optional{}
	}
	return o
}

// Position converts to the fleet's Position: absent speed, heading and
// accuracy stay absent; an absent battery is -1. Altitude is not kept.
func (f Fix) Position() Position {
	b := -1
	if f.Battery.Valid {
		b = int(f.Battery.Value)
	}
	return Position{
		Lon: f.Lon, Lat: f.Lat, At: f.At,
		SpeedKmh:  f.SpeedKmh,
		Heading:   f.Heading,
		AccuracyM: f.AccuracyM,
		Battery:   b,
	}
}
