package units

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/tracking"
	"siaga112/tracking/geofence"
)

// fences holds the geofences: those of the --geofences file (fixed) and
// those made through the API (records, changed through the store like
// every change), one index over both in a Tracker that turns each unit's
// fixes into enter and leave events, and the rules that turn events into
// detected status changes.
type fences struct {
	tracker *geofence.Tracker
	rules   geofence.Rules

	mu       sync.Mutex // guards the API fences; never held over the database
	file     []geofence.Fence
	api      map[string]geofence.Fence
	versions tracking.Versions // of the API fences, deletions included
}

func newFences(ctx context.Context, cfg Config) (*fences, error) {
	gcfg := cfg.GeofenceConfig
	if gcfg == (geofence.Config{}) {
		gcfg = geofence.DefaultConfig()
	}
	rules := cfg.GeofenceRules
	if rules == nil {
		rules = geofence.DefaultRules()
	}
	f := &fences{rules: rules, file: cfg.Geofences, api: map[string]geofence.Fence{}}
	if cfg.GeofenceStore != nil {
		stored, _, err := cfg.GeofenceStore.Records(ctx, 0, tracking.RecordGeofence)
		if err != nil {
			return nil, err
		}
		for _, r := range stored {
			if err := f.applyLocked(r); err != nil {
				return nil, err
			}
		}
	}
	f.tracker = geofence.NewTracker(f.index(), gcfg)
	return f, nil
}

// applyLocked applies one fence record if it is newer than what memory
// holds. Caller holds mu (or is newFences); the caller rebuilds the index.
func (f *fences) applyLocked(r tracking.Record) error {
	if r.Kind != tracking.RecordGeofence || (!r.Deleted && r.Geofence == nil) {
		return nil
	}
	var x geofence.Fence
	if !r.Deleted {
		fs, err := geofence.Parse(collection(r.Geofence.Feature))
		if err != nil || len(fs) != 1 {
			return fmt.Errorf("stored geofence %q no longer parses: %v", r.Key, err)
		}
		x = fs[0]
	}
	if !f.versions.Take(r) {
		return nil
	}
	if r.Deleted {
		delete(f.api, r.Key)
	} else {
		f.api[r.Key] = x
	}
	return nil
}

// AbsorbGeofences takes fence records read back from the store (another
// instance's changes); each applies only if newer than what memory holds.
// upTo is the version the read was complete up to.
func (s *Service) AbsorbGeofences(rs []tracking.Record, upTo int64) {
	f := s.fences
	f.mu.Lock()
	defer f.mu.Unlock()
	changed := false
	for _, r := range rs {
		if r.Kind != tracking.RecordGeofence {
			continue
		}
		if err := f.applyLocked(r); err != nil {
			s.log.Error("a geofence changed on another instance was not taken", "id", r.Key, "err", err)
		}
		changed = true
	}
	if upTo > 0 {
		f.versions.Forget(upTo)
	}
	if changed {
		f.tracker.SetIndex(f.index())
	}
}

func collection(features ...[]byte) []byte {
	return append(append([]byte(`{"type":"FeatureCollection","features":[`), bytes.Join(features, []byte(","))...), "]}"...)
}

// index builds the index of every fence; an API fence replaces a file
// fence of the same id. Caller holds mu (or is New).
func (f *fences) index() *geofence.Index {
	all := make([]geofence.Fence, 0, len(f.file)+len(f.api))
	for _, x := range f.file {
		if _, ok := f.api[x.ID]; !ok {
			all = append(all, x)
		}
	}
	for _, x := range f.api {
		all = append(all, x)
	}
	return geofence.NewIndex(all)
}

// Geofences lists every fence in force.
func (s *Service) Geofences() []geofence.Fence {
	return s.fences.tracker.Index().Fences()
}

// AddGeofences adds or replaces the fences of a GeoJSON FeatureCollection
// (geofence.Parse's format), all or none, as one change: memory takes them
// once the store has.
func (s *Service) AddGeofences(ctx context.Context, body []byte, actor string) ([]geofence.Fence, error) {
	fs, err := geofence.Parse(body)
	if err != nil {
		return nil, err
	}
	if len(fs) == 0 {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the FeatureCollection holds no fence")
	}
	rs := make([]tracking.Record, len(fs))
	for i := range fs {
		g, err := stored(&fs[i], actor)
		if err != nil {
			return nil, err
		}
		rs[i] = tracking.Record{Kind: tracking.RecordGeofence, Key: g.ID, Geofence: &g}
	}
	if err := s.commitFences("geofences.added", actor, rs); err != nil {
		return nil, err
	}
	s.log.Info("geofences added", "count", len(fs), "actor", actor)
	return fs, nil
}

// commitFences writes one change of fence records and applies it to
// memory once the store has it; a refusal leaves memory as it was.
func (s *Service) commitFences(action, actor string, rs []tracking.Record) error {
	now := s.cfg.Now()
	v, err := s.journal.Commit(tracking.Change{Audit: tracking.Audit{Action: action, Actor: actor, At: now}, At: now, Records: rs})
	if err != nil {
		return err
	}
	f := s.fences
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range rs {
		r.Version = v
		if err := f.applyLocked(r); err != nil {
			return err
		}
	}
	f.tracker.SetIndex(f.index())
	return nil
}

// DeleteGeofence removes a fence made through the API; the fences of the
// --geofences file are changed in the file.
func (s *Service) DeleteGeofence(ctx context.Context, id, actor string) error {
	f := s.fences
	f.mu.Lock()
	_, ok := f.api[id]
	f.mu.Unlock()
	if !ok {
		for _, x := range f.file {
			if x.ID == id {
				return tracking.Errorf(tracking.CodeConflict, "geofence %q comes from the --geofences file: change the file and restart", id)
			}
		}
		return tracking.Errorf(tracking.CodeNotFound, "no geofence %q", id)
	}
	if err := s.commitFences("geofence.deleted", actor, []tracking.Record{{Kind: tracking.RecordGeofence, Key: id, Deleted: true}}); err != nil {
		return err
	}
	s.log.Info("geofence deleted", "id", id, "actor", actor)
	return nil
}

func stored(x *geofence.Fence, actor string) (tracking.StoredGeofence, error) {
	gf := x.Feature()
	feature, err := json.Marshal(gf)
	if err != nil {
		return tracking.StoredGeofence{}, err
	}
	geometry, err := json.Marshal(geojson.NewGeometry(gf.Geometry))
	if err != nil {
		return tracking.StoredGeofence{}, err
	}
	return tracking.StoredGeofence{ID: x.ID, Name: x.Name, Kind: string(x.Kind), Agency: x.Agency, RadiusM: x.RadiusM,
		Feature: feature, Geometry: geometry, CreatedBy: actor}, nil
}

// observeFences checks one applied fix against the fences: a lock and an
// R-tree lookup, microseconds, nothing waits for the database. Events are
// recorded; a rule that matches changes the unit's status, stamped as
// detected.
func (s *Service) observeFences(id string, p tracking.Position) {
	f := s.fences
	if f == nil {
		return
	}
	acc := 0.0
	if tp := tracking.PositionTrackPoint(p); tp.AccuracyM.Valid {
		acc = tp.AccuracyM.Value
	}
	evs := f.tracker.Observe(id, geofence.Fix{Point: orb.Point{p.Lon, p.Lat}, At: p.At, AccuracyM: acc})
	for _, ev := range evs {
		s.RecordRegionEvent(tracking.RegionEvent{
			UnitID: id, Kind: tracking.RegionEventKind(ev.Type), Region: ev.Name, RegionID: ev.Fence, Trigger: TriggerGeofence,
			At: ev.At, Lon: ev.Point[0], Lat: ev.Point[1], HasPosition: true,
		})
		s.applyRules(id, ev)
	}
}

// applyTrackerTransition drives the rules with a tracker's own transition
// for a region that is a geofence of ours (same id).
func (s *Service) applyTrackerTransition(e tracking.RegionEvent) {
	fence, ok := s.fences.tracker.Index().Fence(e.RegionID)
	if !ok {
		return
	}
	ev := geofence.Event{Unit: e.UnitID, Type: geofence.EventType(e.Kind), Fence: fence.ID, Name: fence.Name, Kind: fence.Kind, Agency: fence.Agency, At: e.At}
	s.applyRules(e.UnitID, ev)
}

// applyRules changes the unit's status when a rule matches the event, as
// one status change through the change path, its actor saying it was
// detected and by which rule and fence. The change is stamped with the
// server's time, as a crew's report is: the fix time may be older than the
// status it changes (a delayed or replayed fix), which the fleet would
// take for history and ignore.
func (s *Service) applyRules(id string, ev geofence.Event) {
	u, err := s.cfg.Fleet.Get(id)
	if err != nil {
		return
	}
	sug, ok := s.fences.rules.Suggest(u, ev)
	if !ok {
		return
	}
	actor := fmt.Sprintf("detected: geofence %q, rule %q", sug.FenceName, sug.Rule)
	if _, _, err := s.setStatusFrom(id, sug.From, sug.To, s.cfg.Now(), actor); err != nil {
		s.log.Error("detected status change not applied", "unit", id, "to", sug.To, "err", err)
		return
	}
	s.log.Info("status detected from a geofence", "unit", id, "from", sug.From, "to", sug.To, "fence", sug.Fence, "rule", sug.Rule)
}
