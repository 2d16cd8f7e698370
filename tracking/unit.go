package tracking

import (
	"strings"
	"time"
)

// UnitType is the kind of vehicle. The set is closed: dispatch plans name these.
type UnitType string

const (
	Ambulance UnitType = "ambulance"
	FireTruck UnitType = "fire_truck"
	Hearse    UnitType = "hearse"
	Rescue    UnitType = "rescue"
	Police    UnitType = "police"
)

// UnitTypes lists every unit type in a stable order.
var UnitTypes = []UnitType{Ambulance, FireTruck, Hearse, Rescue, Police}

// ParseUnitType validates s as a unit type.
func ParseUnitType(s string) (UnitType, error) {
	for _, t := range UnitTypes {
		if string(t) == s {
			return t, nil
		}
	}
	return "", Errorf(CodeInvalid, "unknown unit type %q: use one of %s", s, joinQuoted(UnitTypes))
}

// Status is what the crew is doing.
type Status string

const (
	Available    Status = "available"
	Dispatched   Status = "dispatched"
	EnRoute      Status = "en_route"
	OnScene      Status = "on_scene"
	Transporting Status = "transporting"
	AtHospital   Status = "at_hospital"
	Returning    Status = "returning"
	OutOfService Status = "out_of_service"
)

// Statuses lists every status in lifecycle order.
var Statuses = []Status{Available, Dispatched, EnRoute, OnScene, Transporting, AtHospital, Returning, OutOfService}

// ParseStatus validates s as a unit status.
func ParseStatus(s string) (Status, error) {
	for _, st := range Statuses {
		if string(st) == s {
			return st, nil
		}
	}
	return "", Errorf(CodeInvalid, "unknown unit status %q: use one of %s", s, joinQuoted(Statuses))
}

// Liveness says how fresh a unit's position is.
type Liveness string

const (
	// Live: a fix arrived within the stale limit.
	Live Liveness = "live"
	// Stale: no fix for longer than the stale limit; the position is "last known".
	Stale Liveness = "stale"
	// Offline: the tracker's Last Will arrived, it has been silent past the
	// offline limit, or it never reported.
	Offline Liveness = "offline"
)

// Livenesses lists every liveness value.
var Livenesses = []Liveness{Live, Stale, Offline}

// Position is one GPS fix as the tracker reported it.
type Position struct {
	Lon, Lat  float64   // WGS 84 degrees
	At        time.Time // fix time, from the tracker's clock
	SpeedKmh  Optional  // km/h; absent when the tracker did not say
	Heading   Optional  // degrees clockwise from north, [0, 360); absent when unknown
	AccuracyM Optional  // horizontal accuracy in metres; absent when unknown
	Battery   int       // percent; -1 when unknown
}

// Unit is a vehicle of the fleet as the index sees it at one instant.
type Unit struct {
	ID       string
	Callsign string
	Type     UnitType
	Agency   string
	Status   Status
	// StatusAt is when the status last changed.
	StatusAt time.Time
	// Position is the newest fix; zero until the unit first reports.
	Position Position
	Liveness Liveness
	// LastSeen is the server time at which the newest fix was received.
	LastSeen time.Time
	// SecretHash is "sha256:<hex>" of the unit's MQTT password, a 192-bit
	// random secret (see NewSecret; "" until
	// one is issued). Never shown.
	SecretHash string `json:"-"`
	// TrackerID names the unit to OsmAnd-protocol trackers and Traccar
	// Client (their "id", e.g. an IMEI); "" when none. Unique.
	TrackerID string
	// OwnTracksSecret is the passphrase of the unit's OwnTracks payload
	// encryption; "" when none. It must be kept readable to open payloads,
	// and is never shown, published or logged.
	OwnTracksSecret string `json:"-"`
	// Disabled: retired by an admin (a scrapped ambulance, a car in the
	// workshop for months). It stays on the map and in the history, but is
	// never recommended, dispatched or counted in coverage, and its
	// tracker credentials are refused (MayAuthenticate).
	Disabled bool
	// Deleted marks, in a Change, a unit that leaves the fleet (its
	// positions, assignments and audit trail stay). The fleet never holds
	// a deleted unit.
	Deleted bool
}

// MayAuthenticate is the one rule of whether a unit's tracker may sign in
// (MQTT password, OwnTracks HTTP, the OsmAnd tracker id): not when the
// unit is disabled.
func (u Unit) MayAuthenticate() bool { return !u.Disabled && !u.Deleted }

// Busy reports whether the unit's status says it is on an incident
// (dispatched … at hospital): it is not disabled or deleted then, or its
// crew's assignment would be left without a unit.
func (u Unit) Busy() bool {
	switch u.Status {
	case Dispatched, EnRoute, OnScene, Transporting, AtHospital:
		return true
	}
	return false
}

// AuditData is what the audit trail keeps of a unit change (never its
// secrets).
func (u Unit) AuditData() map[string]any {
	d := map[string]any{"callsign": u.Callsign, "type": u.Type, "agency": u.Agency, "status": u.Status, "disabled": u.Disabled}
	if u.Deleted {
		d["deleted"] = true
	}
	return d
}

// TrackerSettings is what an operator sets about a unit's trackers; a nil
// field is left as it is, "" clears it.
type TrackerSettings struct {
	TrackerID       *string
	OwnTracksSecret *string
}

// MaxTrackerIDLen bounds a tracker id (an IMEI has 15 digits).
const MaxTrackerIDLen = 64

// MaxOwnTracksSecretLen bounds an OwnTracks passphrase; the apps use its
// first 32 bytes as the key.
const MaxOwnTracksSecretLen = 256

// HasPosition reports whether the unit has ever reported a fix.
func (u Unit) HasPosition() bool { return !u.Position.At.IsZero() }

// Registration is what an operator says about a unit.
type Registration struct {
	ID       string
	Callsign string
	Type     UnitType
	Agency   string
}

// Validate checks a registration before it touches the index.
func (r Registration) Validate() error {
	if err := ValidateID("unit id", r.ID); err != nil {
		return err
	}
	if ReservedUnitID(r.ID) {
		return Errorf(CodeInvalid, "unit id %q is reserved for the server (admin, siaga112…): choose another", r.ID)
	}
	if _, err := ParseUnitType(string(r.Type)); err != nil {
		return err
	}
	if err := ValidateID("agency", r.Agency); err != nil {
		return err
	}
	if len(r.Callsign) > 64 {
		return Errorf(CodeInvalid, "callsign is longer than 64 characters")
	}
	return nil
}

// ReservedUnitID reports whether id names the server rather than a unit: the
// broker's gateway user ("admin") and the server's own MQTT clients
// ("siaga112…"), compared without case. A unit with such a name could pose
// as the server on the broker.
func ReservedUnitID(id string) bool {
	l := strings.ToLower(id)
	return l == "admin" || strings.HasPrefix(l, "siaga112") || l == "inline"
}

// MaxIDLen bounds unit ids and agency names: they travel in MQTT topics.
const MaxIDLen = 64

// validID is ^[A-Za-z0-9][A-Za-z0-9._-]*$ as a loop: every MQTT payload's
// topic is checked with it, and a regexp cost ~5% of the ingest.
func validID(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'A' && c <= 'Z', c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case i > 0 && (c == '.' || c == '_' || c == '-'):
		default:
			return false
		}
	}
	return s != ""
}

// ValidateID checks a unit id or agency name: 1–64 characters of letters,
// digits, dot, underscore and dash, starting with a letter or digit. MQTT
// wildcards and separators (+ # /) can never appear.
func ValidateID(what, s string) error {
	if s == "" {
		return Errorf(CodeInvalid, "%s is empty", what)
	}
	if len(s) > MaxIDLen {
		return Errorf(CodeInvalid, "%s %q is longer than %d characters", what, s, MaxIDLen)
	}
	if !validID(s) {
		return Errorf(CodeInvalid, "%s %q may only hold letters, digits, '.', '_' and '-', starting with a letter or digit", what, s)
	}
	return nil
}

func joinQuoted[T ~string](xs []T) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = `"` + string(x) + `"`
	}
	return strings.Join(q, ", ")
}
