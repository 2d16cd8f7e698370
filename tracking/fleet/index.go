// Package fleet is the live index of the fleet: where every unit is, what it
// is doing and how fresh its fix is, with nearest-unit search on
// tidwall/rtree. The Index owns its lock; the trees inside have none.
package fleet

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/tidwall/rtree"

	"siaga112/geo"

	"siaga112/tracking"
)

// Config sets the liveness limits and the clock.
type Config struct {
	// StaleAfter: a unit with no fix for this long is stale (default 60 s).
	StaleAfter time.Duration
	// OfflineAfter: a unit with no fix for this long is offline (default 5 min).
	OfflineAfter time.Duration
	// Now is the clock (default time.Now); tests pass a fake one.
	Now func() time.Time
	// Snap, when set, attaches a position to the road network (geo/roads);
	// it runs when a fix arrives, outside the lock, so that road searches
	// never snap units.
	Snap func(orb.Point) geo.RoadPoint
}

func (c Config) withDefaults() Config {
	if c.StaleAfter <= 0 {
		c.StaleAfter = 60 * time.Second
	}
	if c.OfflineAfter <= 0 {
		c.OfflineAfter = 5 * time.Minute
	}
	if c.OfflineAfter < c.StaleAfter {
		c.OfflineAfter = c.StaleAfter
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

// entry is the index's own record of a unit. Only the Index touches it, under
// its lock.
type entry struct {
	unit tracking.Unit // Liveness is not kept here: it depends on the clock
	lwt  bool          // Last Will seen and no newer fix since

	// Where the entry sits in the trees, so it can be taken out again.
	indexed bool
	at      [2]float64
	vec     geo.Vector // the indexed position on the unit sphere

	road geo.RoadPoint // the position on the road network (Config.Snap)

	// The unit's type and status as filter bits, kept in step by index().
	typeBit, statusBit uint32
	availTree          int // index into Index.avail, or -1
}

// Index is the live fleet. It is safe for concurrent use.
//
// Shape: one tree holds every unit with a position (for arbitrary filters);
// one tree per unit type holds only the units that can be sent now (status
// available and no Last Will), because "nearest available of type T" is the
// query dispatch asks on every incident and a tree of only candidates answers
// it without wading through busy units.
type Index struct {
	cfg Config

	mu    sync.RWMutex
	units map[string]*entry
	all   rtree.RTreeG[*entry]
	avail [numTypes]rtree.RTreeG[*entry]
}

const numTypes = 5

// New returns an empty index.
func New(cfg Config) *Index {
	if len(tracking.UnitTypes) != numTypes {
		panic("fleet: numTypes out of step with tracking.UnitTypes")
	}
	return &Index{cfg: cfg.withDefaults(), units: make(map[string]*entry)}
}

func typeIndex(t tracking.UnitType) int {
	return slices.Index(tracking.UnitTypes, t)
}

// Register adds a unit, or updates the callsign, type and agency of a known
// one (keeping its position and status). A new unit starts available.
// It reports whether the unit was new.
func (ix *Index) Register(r tracking.Registration) (tracking.Unit, bool, error) {
	if err := r.Validate(); err != nil {
		return tracking.Unit{}, false, err
	}
	if r.Callsign == "" {
		r.Callsign = r.ID
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[r.ID]
	if !ok {
		e = &entry{availTree: -1, unit: tracking.Unit{ID: r.ID, Status: tracking.Available}, road: geo.OffRoad}
		ix.units[r.ID] = e
	}
	ix.unindex(e)
	e.unit.Callsign, e.unit.Type, e.unit.Agency = r.Callsign, r.Type, r.Agency
	ix.index(e)
	return ix.view(e, ix.cfg.Now()), !ok, nil
}

// Outcome says what an update did (tracking.UpdateOutcome: the ingest
// counts it without knowing the index).
type Outcome = tracking.UpdateOutcome

const (
	Applied = tracking.UpdateApplied
	History = tracking.UpdateHistory // older than what the unit has: not applied
)

// ApplyFix moves a unit to a new fix. A fix not newer than the unit's newest
// is History and changes nothing. Coordinates must be finite WGS 84 degrees.
func (ix *Index) ApplyFix(id string, p tracking.Position) (Outcome, error) {
	if err := ValidatePosition(p); err != nil {
		return History, err
	}
	road := ix.snap(p)
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return History, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	now := ix.cfg.Now()
	// A newest fix further ahead of the clock than any ingest accepts (kept
	// from an older version, which took fixes up to a day ahead) does not
	// hold the unit back: the correct fixes after it apply.
	if !p.At.After(e.unit.Position.At) && !e.unit.Position.At.After(now.Add(tracking.MaxFixAhead)) {
		return History, nil
	}
	ix.unindex(e)
	e.unit.Position, e.road = p, road
	e.unit.LastSeen = now
	e.lwt = false
	ix.index(e)
	return Applied, nil
}

// ValidatePosition checks a fix's coordinates and time.
func ValidatePosition(p tracking.Position) error {
	if err := tracking.CheckLatLon(p.Lat, p.Lon); err != nil {
		return err
	}
	switch {
	case p.At.IsZero():
		return tracking.Errorf(tracking.CodeInvalid, "fix has no time")
	}
	return nil
}

// SetStatus changes what a unit's crew is doing. A change stamped before the
// unit's newest status change is History and changes nothing.
func (ix *Index) SetStatus(id string, st tracking.Status, at time.Time) (Outcome, error) {
	if _, err := tracking.ParseStatus(string(st)); err != nil {
		return History, err
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return History, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	if at.Before(e.unit.StatusAt) {
		return History, nil
	}
	ix.unindex(e)
	e.unit.Status, e.unit.StatusAt = st, at
	ix.index(e)
	return Applied, nil
}

// MarkOffline records the tracker's Last Will: the unit is offline until its
// next newer fix.
func (ix *Index) MarkOffline(id string) error {
	_, err := ix.MarkOfflineIf(id, nil)
	return err
}

// MarkOfflineIf is MarkOffline when cond (nil: always) holds for the unit
// as it is now, judged under the index's lock so that no fix slips in
// between; it reports whether the unit was marked. cond must not call the
// index.
func (ix *Index) MarkOfflineIf(id string, cond func(tracking.Unit) bool) (bool, error) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return false, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	if cond != nil && !cond(e.unit) {
		return false, nil
	}
	ix.unindex(e)
	e.lwt = true
	ix.index(e)
	return true, nil
}

// Get returns one unit.
func (ix *Index) Get(id string) (tracking.Unit, error) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	e, ok := ix.units[id]
	if !ok {
		return tracking.Unit{}, tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	return ix.view(e, ix.cfg.Now()), nil
}

// Has reports whether a unit is registered.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.units[id]
	return ok
}

// List returns every unit, ordered by id.
func (ix *Index) List() []tracking.Unit {
	ix.mu.RLock()
	now := ix.cfg.Now()
	out := make([]tracking.Unit, 0, len(ix.units))
	for _, e := range ix.units {
		out = append(out, ix.view(e, now))
	}
	ix.mu.RUnlock()
	slices.SortFunc(out, func(a, b tracking.Unit) int { return strings.Compare(a.ID, b.ID) })
	return out
}

// CountByLiveness counts units by liveness now.
func (ix *Index) CountByLiveness() map[tracking.Liveness]int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	now := ix.cfg.Now()
	out := make(map[tracking.Liveness]int, len(tracking.Livenesses))
	for _, l := range tracking.Livenesses {
		out[l] = 0
	}
	for _, e := range ix.units {
		out[ix.liveness(e, now)]++
	}
	return out
}

// Len is the number of registered units.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.units)
}

func (ix *Index) liveness(e *entry, now time.Time) tracking.Liveness {
	if e.lwt || e.unit.Position.At.IsZero() {
		return tracking.Offline
	}
	age := now.Sub(e.unit.LastSeen)
	switch {
	case age > ix.cfg.OfflineAfter:
		return tracking.Offline
	case age > ix.cfg.StaleAfter:
		return tracking.Stale
	}
	return tracking.Live
}

func (ix *Index) view(e *entry, now time.Time) tracking.Unit {
	u := e.unit
	u.Liveness = ix.liveness(e, now)
	return u
}

// index puts e into the trees its state calls for. A disabled unit is in
// none: every search (nearest, recommendations, reservations, coverage)
// walks the trees, so it is left out of all of them even while its tracker
// reports. Caller holds the write lock.
func (ix *Index) index(e *entry) {
	e.typeBit = bit(e.unit.Type, tracking.UnitTypes)
	e.statusBit = bit(e.unit.Status, tracking.Statuses)
	if e.unit.Position.At.IsZero() || e.unit.Disabled {
		return
	}
	pt := [2]float64{e.unit.Position.Lon, e.unit.Position.Lat}
	e.indexed, e.at, e.vec = true, pt, geo.ToVector(orb.Point(pt))
	ix.all.Insert(pt, pt, e)
	if e.unit.Status == tracking.Available && !e.lwt {
		if t := typeIndex(e.unit.Type); t >= 0 {
			e.availTree = t
			ix.avail[t].Insert(pt, pt, e)
		}
	}
}

// unindex takes e out of every tree. Caller holds the write lock.
func (ix *Index) unindex(e *entry) {
	if !e.indexed {
		return
	}
	ix.all.Delete(e.at, e.at, e)
	if e.availTree >= 0 {
		ix.avail[e.availTree].Delete(e.at, e.at, e)
	}
	e.indexed, e.availTree = false, -1
}

// Restore puts a unit back as a store kept it: registration, status,
// last position and when it was last heard from (so its liveness is
// judged from then, not from the restart). It replaces any unit of that id.
func (ix *Index) Restore(u tracking.Unit) error {
	r := tracking.Registration{ID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency}
	if err := r.Validate(); err != nil {
		return err
	}
	if _, err := tracking.ParseStatus(string(u.Status)); err != nil {
		return err
	}
	if u.HasPosition() {
		if err := ValidatePosition(u.Position); err != nil {
			return err
		}
	}
	road := geo.OffRoad
	if u.HasPosition() {
		road = ix.snap(u.Position)
	}
	ix.mu.Lock()
	defer ix.mu.Unlock()
	if old, ok := ix.units[u.ID]; ok {
		ix.unindex(old)
	}
	u.Liveness = ""
	e := &entry{unit: u, availTree: -1, road: road}
	ix.units[u.ID] = e
	ix.index(e)
	return nil
}

// SetSecret stores the hash of a unit's MQTT password.
func (ix *Index) SetSecret(id, hash string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	e.unit.SecretHash = hash
	return nil
}

// SetTracker stores a unit's tracker id and OwnTracks secret (the caller
// checks that the tracker id is unique).
func (ix *Index) SetTracker(id, trackerID, ownTracksSecret string) error {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	e, ok := ix.units[id]
	if !ok {
		return tracking.Errorf(tracking.CodeNotFound, "unit %q is not registered", id)
	}
	e.unit.TrackerID, e.unit.OwnTracksSecret = trackerID, ownTracksSecret
	return nil
}
