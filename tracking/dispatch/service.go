package dispatch

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// AgencyDeadline is the SOP: an agency must act on a report within 3×24 h.
const AgencyDeadline = 72 * time.Hour

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
	phone     phoneBook // the phone edge's calls (callevents.go)
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
	if err := s.loadPhoneCalls(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Plans returns the response plans in force.
func (s *Service) Plans() *Plans { return s.cfg.Plans }

// Bus is where the service publishes its events.
func (s *Service) Bus() *tracking.Bus { return s.cfg.Bus }

// ArrivalRadiusM is how near its incident a unit counts as arrived, metres.
func (s *Service) ArrivalRadiusM() float64 { return s.cfg.ArrivalRadiusM }

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

// Now is the service's clock.
func (s *Service) Now() time.Time { return s.cfg.Now() }
