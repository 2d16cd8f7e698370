package dispatch

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/geojson"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// AgencyDeadline is the SOP: an agency must act on a report within 3×24 h.
const AgencyDeadline = 72 * time.Hour

// MaxRecommendations is how many units are recommended per unit type.
const MaxRecommendations = 5

// Config wires a Service.
type Config struct {
	Fleet   *fleet.Index
	Plans   *Plans           // default: DefaultPlans()
	Router  geo.Router       // default: tracking.DefaultTravel()
	Locator tracking.Locator // where incidents are
	Store   tracking.Store
	Bus     *tracking.Bus // default: a bus of its own
	Logger  *slog.Logger
	Now     func() time.Time

	// Arrival detection: a unit whose fixes stay within ArrivalRadiusM of
	// its incident for ArrivalDwell is on scene (defaults 100 m, 15 s).
	ArrivalRadiusM float64
	ArrivalDwell   time.Duration
	// Prank policy; see callers.go.
	PrankWindow time.Duration // 0: count every prank call ever
	// Leading, when set, says whether this instance fires the timers that
	// must fire once among several instances (arrival on scene); nil: it
	// does (one instance).
	Leading func() bool
	// AgencyDeadline is the SOP deadline each incident's lead agency gets
	// (AgencyDueAt); default AgencyDeadline (3×24 h).
	AgencyDeadline time.Duration
	// Roads, when set (--osm), ranks by driving time on the road network;
	// pairs it cannot route fall back to Router. SnapM is how far from
	// every drivable way a point may lie (default roads.DefaultSnapM);
	// Speeds are the unit types' km/h (RoadFactor), default the domain's.
	Roads  *roads.Graph
	SnapM  float64
	Speeds map[string]float64
}

// Service runs dispatch. It is safe for concurrent use. Its lock guards
// memory only: a mutation changes memory and records its Change under the
// lock, then waits for the store without it (see tracking.Journal).
type Service struct {
	cfg     Config
	speeds  map[string]float64 // cfg.Speeds
	log     *slog.Logger
	journal tracking.Journal
	metrics metrics

	mu        sync.Mutex
	incidents map[string]*tracking.Incident
	order     []string // incident ids, oldest first (ids grow with time)
	callers   map[string]*tracking.Caller
	active    map[string]string    // unit id → incident id, for open assignments
	near      map[string]time.Time // unit id → fix time it came within the arrival radius
	seq       int
}

// New builds a Service and loads what the store holds.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Plans == nil {
		cfg.Plans = DefaultPlans()
	}
	if cfg.Router == nil {
		cfg.Router = tracking.DefaultTravel()
	}
	if cfg.Bus == nil {
		cfg.Bus = tracking.NewBus()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ArrivalRadiusM <= 0 {
		cfg.ArrivalRadiusM = 100
	}
	if cfg.AgencyDeadline <= 0 {
		cfg.AgencyDeadline = AgencyDeadline
	}
	if cfg.SnapM <= 0 {
		cfg.SnapM = roads.DefaultSnapM
	}
	if cfg.Speeds == nil {
		cfg.Speeds = tracking.DefaultTravel().SpeedKmh
	}
	if cfg.ArrivalDwell <= 0 {
		cfg.ArrivalDwell = 15 * time.Second
	}
	if cfg.Fleet == nil || cfg.Locator == nil || cfg.Store == nil {
		return nil, fmt.Errorf("dispatch: Fleet, Locator and Store are required")
	}
	s := &Service{
		cfg: cfg, speeds: cfg.Speeds, log: cfg.Logger.With("component", "dispatch"), journal: tracking.Journal{Store: cfg.Store, Bus: cfg.Bus},
		metrics:   newMetrics(),
		incidents: map[string]*tracking.Incident{}, callers: map[string]*tracking.Caller{},
		active: map[string]string{}, near: map[string]time.Time{},
	}
	ins, err := cfg.Store.Incidents(ctx)
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	for _, in := range ins {
		in := in.Clone()
		s.incidents[in.ID] = &in
		s.order = append(s.order, in.ID)
		for _, a := range in.Assignments {
			if a.Open() {
				s.active[a.UnitID] = in.ID
			}
		}
	}
	slices.Sort(s.order)
	last, err := cfg.Store.LastIncidentID(ctx)
	if err != nil {
		return nil, fmt.Errorf("load incidents: %w", err)
	}
	if _, num, ok := strings.Cut(last, "-"); ok {
		if n, err := strconv.Atoi(num); err == nil {
			s.seq = n
		}
	}
	cs, err := cfg.Store.Callers(ctx)
	if err != nil {
		return nil, fmt.Errorf("load callers: %w", err)
	}
	for _, c := range cs {
		c := c.Clone()
		// A record kept under an older rule's spelling (6281…, 0062…) joins
		// the canonical one; the next change writes it under that.
		if n, err := tracking.NormalizePhone(c.Number); err == nil {
			c.Number = n
		}
		if old, ok := s.callers[c.Number]; ok {
			c = mergeCallers(*old, c)
		}
		s.callers[c.Number] = &c
	}
	return s, nil
}

// Plans returns the response plans in force.
func (s *Service) Plans() *Plans { return s.cfg.Plans }

// Bus is where the service publishes its events.
func (s *Service) Bus() *tracking.Bus { return s.cfg.Bus }

// ArrivalRadiusM is how near its incident a unit counts as arrived, metres.
func (s *Service) ArrivalRadiusM() float64 { return s.cfg.ArrivalRadiusM }

// NewIncident is what a call-taker records.
type NewIncident struct {
	Category    tracking.Category
	Lat, Lon    float64
	Caller      string
	Description string
	// Routes: each recommendation carries its route (?route=1).
	Routes bool
}

// Recommendation is a unit worth sending, nearest (by ETA) first.
type Recommendation struct {
	UnitID     string            `json:"unit_id"`
	Callsign   string            `json:"callsign"`
	Type       tracking.UnitType `json:"type"`
	Agency     string            `json:"agency"`
	DistanceM  float64           `json:"distance_m"` // great-circle
	RouteM     float64           `json:"route_m"`    // estimated road distance
	ETASeconds float64           `json:"eta_s"`
	// EtaModel: "road" (driving time on the --osm network) or "detour"
	// (great-circle × detour ÷ speed: no --osm, or the pair fell back).
	EtaModel string `json:"eta_model"`
	// Route, when asked for, is a GeoJSON LineString from the unit to the
	// incident (a detour row's is the straight line).
	Route *geojson.Geometry `json:"route,omitempty"`
	// Position is where the unit was ([lon, lat]); the nearest query's
	// GeoJSON shows it.
	Position orb.Point `json:"-"`
	fallback string    // why a road search fell back to the detour model
}

// MaxDescription bounds an incident's description.
const MaxDescription = 2000

// CreateIncident validates, locates and records an incident and recommends
// units for it. Errors: invalid (bad input), outside_area, forbidden
// (blocked caller).
func (s *Service) CreateIncident(ctx context.Context, req NewIncident, actor string) (tracking.Incident, []Recommendation, error) {
	plan, err := s.cfg.Plans.Plan(req.Category)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	if err := tracking.CheckLatLon(req.Lat, req.Lon); err != nil {
		return tracking.Incident{}, nil, err
	}
	number, err := tracking.NormalizePhone(req.Caller)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	if err := tracking.CheckText("description", req.Description, MaxDescription, true); err != nil {
		return tracking.Incident{}, nil, err
	}
	p := orb.Point{req.Lon, req.Lat}
	loc, err := tracking.Locate(s.cfg.Locator, p)
	if err != nil {
		return tracking.Incident{}, nil, err
	}
	num, shared, err := s.incidentNumber(ctx) // before the lock: it may ask the database
	if err != nil {
		return tracking.Incident{}, nil, err
	}

	s.mu.Lock()
	now := s.cfg.Now()
	if c, ok := s.callers[number]; ok && c.BlockedUntil != nil && now.Before(*c.BlockedUntil) {
		s.mu.Unlock()
		return tracking.Incident{}, nil, tracking.Errorf(tracking.CodeForbidden,
			"the number %s is blocked until %s after %d prank or ghost calls; a supervisor can lift the block",
			number, c.BlockedUntil.Format(time.RFC3339), s.prankCount(c, now))
	}
	if !shared {
		s.seq++
		num = int64(s.seq)
	}
	in := &tracking.Incident{
		ID:       fmt.Sprintf("%s-%06d", now.UTC().Format("20060102"), num),
		Category: plan.Category, Lat: req.Lat, Lon: req.Lon,
		Kecamatan: loc.Kecamatan, Kelurahan: loc.Kelurahan, Approximate: loc.Approximate,
		Caller: number, Description: req.Description,
		Status: tracking.IncidentOpen, LeadAgency: plan.Lead,
		ReceivedAt: now, AgencyDueAt: now.Add(s.cfg.AgencyDeadline),
		Assignments: []tracking.Assignment{},
	}
	s.incidents[in.ID] = in
	s.insertOrder(in.ID)
	out := in.Clone()
	// The intake logs the call that reported it, in the same change.
	call := &tracking.Call{ID: callID(now), At: now, Number: number, Outcome: tracking.CallEmergency, IncidentID: in.ID, By: actor}
	done := s.journal.Record(tracking.Change{Audit: tracking.Audit{Action: "incident.created", Actor: actor}, Action: "created", At: now, Incident: ptr(in.Clone()), Call: call})
	s.mu.Unlock()

	persisted, err := wait(done)
	if err != nil {
		s.mu.Lock()
		delete(s.incidents, in.ID) // nothing can have been sent to it: a dispatch would have been refused too
		if i := slices.Index(s.order, in.ID); i >= 0 {
			s.order = slices.Delete(s.order, i, i+1)
		}
		s.mu.Unlock()
		return tracking.Incident{}, nil, fmt.Errorf("save incident: %w", err)
	}
	out.Persisted = persisted
	s.log.Info("incident created", "incident", out.ID, "category", out.Category, "kelurahan", out.Kelurahan.Name, "kecamatan", out.Kecamatan.Name)
	return out, s.recommend(p, plan, req.Routes), nil
}

// wait reads the store's answer to a recorded change: written, queued for
// an unreachable database (the change stands, not yet persisted), or
// refused. It is called without the lock.
func wait(done <-chan error) (persisted bool, fail error) {
	switch err := <-done; {
	case err == nil:
		return true, nil
	case errors.Is(err, tracking.ErrQueued):
		return false, nil
	default:
		return false, err
	}
}

func ptr[T any](v T) *T { return &v }

// Recommend lists, for each unit type of the plan, up to
// MaxRecommendations available live units ordered by ETA. Stale and offline
// units are never recommended.
func (s *Service) Recommend(p orb.Point, plan Plan) []Recommendation {
	return s.recommend(p, plan, false)
}

func (s *Service) recommend(p orb.Point, plan Plan, routes bool) []Recommendation {
	start := time.Now()
	out := []Recommendation{}
	for _, need := range plan.Needs {
		out = s.recommendType(out, p, need.Type, MaxRecommendations, routes)
	}
	s.observeRecommend(time.Since(start))
	return out
}

// MaxNearest bounds the limit of a Nearest query.
const MaxNearest = 100

// Nearest answers "who is closest to here?": up to limit available live
// units of type t ordered by ETA, exactly as Recommend ranks them for an
// incident, without creating anything. dst is reused (its length reset),
// so a caller may pool it.
func (s *Service) Nearest(dst []Recommendation, p orb.Point, t tracking.UnitType, limit int) ([]Recommendation, error) {
	return s.NearestRouted(dst, p, t, limit, false)
}

// NearestRouted is Nearest, each row with its route when routes is set.
func (s *Service) NearestRouted(dst []Recommendation, p orb.Point, t tracking.UnitType, limit int, routes bool) ([]Recommendation, error) {
	if _, err := tracking.ParseUnitType(string(t)); err != nil {
		return nil, err
	}
	if err := tracking.CheckLatLon(p[1], p[0]); err != nil {
		return nil, err
	}
	if limit < 1 || limit > MaxNearest {
		return nil, tracking.Errorf(tracking.CodeInvalid, "limit must be a whole number from 1 to %d, not %d", MaxNearest, limit)
	}
	start := time.Now()
	out := s.recommendType(dst[:0], p, t, limit, routes)
	s.observeRecommend(time.Since(start))
	return out, nil
}

// recommendType appends to dst up to keep available live units of type t
// ordered by ETA to p: by road with --osm, else by the detour model.
func (s *Service) recommendType(dst []Recommendation, p orb.Point, t tracking.UnitType, keep int, routes bool) []Recommendation {
	if s.cfg.Roads != nil {
		return s.roadRank(dst, p, t, keep, routes)
	}
	base := len(dst)
	// Twice as many by distance as we keep by ETA: a road router may
	// reorder neighbours (the detour model never does).
	f := fleet.Filter{Types: []tracking.UnitType{t}, Statuses: availOnly, Liveness: liveOnly}
	want := 2 * keep
	if _, monotone := s.cfg.Router.(geo.DetourModel); monotone {
		want = keep // its ETA grows with the distance: the nearest are the answer
	}
	for u, d := range s.cfg.Fleet.Nearest(p, f) {
		dst = append(dst, Recommendation{UnitID: u.ID, Callsign: u.Callsign, Type: u.Type, Agency: u.Agency, DistanceM: math.Round(d), Position: orb.Point{u.Position.Lon, u.Position.Lat}})
		if len(dst)-base == want {
			break
		}
	}
	recs := dst[base:]
	routed := recs[:0]
	for _, rec := range recs {
		r, err := s.cfg.Router.Route(rec.Position, p, string(rec.Type))
		if err != nil {
			s.log.Warn("no route for a candidate unit; left out", "unit", rec.UnitID, "err", err)
			continue
		}
		rec.RouteM, rec.ETASeconds, rec.EtaModel = math.Round(r.DistanceM), r.Duration.Seconds(), ModelDetour
		if routes {
			rec.Route = straightRoute(rec.Position, p)
		}
		routed = append(routed, rec)
	}
	slices.SortStableFunc(routed, func(a, b Recommendation) int { return cmp.Compare(a.ETASeconds, b.ETASeconds) })
	return dst[:base+min(len(routed), keep)]
}

var (
	availOnly = []tracking.Status{tracking.Available}
	liveOnly  = []tracking.Liveness{tracking.Live}
)

// Get returns one incident.
func (s *Service) Get(id string) (tracking.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[id]
	if !ok {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	return in.Clone(), nil
}

// Filter selects incidents.
type Filter struct {
	Status   tracking.IncidentStatus // "": any
	Overdue  bool                    // only those past the agency deadline
	Category tracking.Category       // "": any
	// Before: only incidents older than this id (the cursor of the next
	// page); "": from the newest.
	Before string
	// Limit: at most this many (0: all).
	Limit int
}

// List returns the incidents that match, newest first, copying only those.
func (s *Service) List(f Filter) []tracking.Incident { return s.list(f, nil) }

// list is List with a further condition (nil: none), checked under s.mu.
func (s *Service) list(f Filter, also func(*tracking.Incident) bool) []tracking.Incident {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	end := len(s.order)
	if f.Before != "" {
		end, _ = slices.BinarySearch(s.order, f.Before)
	}
	var out []tracking.Incident
	for i := end - 1; i >= 0 && (f.Limit <= 0 || len(out) < f.Limit); i-- {
		in := s.incidents[s.order[i]]
		if (f.Status != "" && in.Status != f.Status) || (f.Overdue && !in.Overdue(now)) || (f.Category != "" && in.Category != f.Category) ||
			(also != nil && !also(in)) {
			continue
		}
		out = append(out, in.Clone())
	}
	return out
}

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }
