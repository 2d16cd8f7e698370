// Package app builds the whole siaga112 server from a Config: stores, the
// fleet, the services, the MQTT broker and ingest, the web server. cmd only
// turns flags and environment into a Config; tests build through New too,
// so what they exercise is what runs. It is the one place that names
// concrete types (wiring.go asserts each pairing).
//
// New (here) builds in order; Run (run.go) serves. Config is config.go;
// the files read at start, inputs.go; the broker and ingest, broker.go;
// trackers' other listeners, trackers.go; the planners' side, planner.go;
// place search and the book, places.go; the offline map and the roads,
// basemap.go and roads.go; agencies, webhooks and the deadline clock,
// accountability.go; geofence rules, geofences.go; several instances on
// one database, shared.go; the demo, demo.go and synthetic.go.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"math"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/mapdata"
	"siaga112/mapdata/basemap"
	"siaga112/mapdata/places"
	"siaga112/tracking"
	"siaga112/tracking/accounts"
	"siaga112/tracking/deadline"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/placebook"
	"siaga112/tracking/postgres"
	"siaga112/tracking/units"
	"siaga112/tracking/webhook"
	"siaga112/web"
)

// App is one built server.
type App struct {
	cfg     Config
	log     *slog.Logger
	closers []func()

	AdminToken string
	generated  bool
	Fleet      *fleet.Index
	Units      *units.Service
	Dispatch   *dispatch.Service
	Store      tracking.Store
	Records    tracking.RecordStore // users, tokens, sessions, geofences, contacts: the same store
	History    tracking.HistoryStore
	Postgres   *postgres.Store   // nil without a database
	Accounts   *accounts.Service // nil with OpenAPI
	Web        *web.Server
	Ingest     *mqtt.Ingest // nil with NoMQTT
	Broker     *mqtt.Broker // the embedded broker; nil with an external one or NoMQTT
	BrokerURL  string
	OsmAndAddr string                      // the OsmAnd listener's address; "" when off
	ingest     atomic.Pointer[mqtt.Ingest] // Ingest, for the store's writer (it runs before Ingest is set)
	Webhooks   *webhook.Service
	Clock      *deadline.Clock
	Agencies   *agencyDirectory
	Roads      *roads.Graph       // nil without --osm
	Places     *places.Places     // place search (places.go)
	PlaceBook  *placebook.Service // the centre's place book
	seen       atomic.Int64       // records read back up to this version (shared.go; the listener's goroutine)
	BaseMap    *basemap.Map       // the offline base map; nil without --osm
}

// New builds the server. Close releases what it holds, also after an error.
func New(ctx context.Context, cfg Config, log *slog.Logger) (a *App, err error) {
	if log == nil {
		log = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.AgencyDeadline == 0 {
		cfg.AgencyDeadline = deadline.DefaultDeadline
	}
	if err := deadline.ValidateDeadline(cfg.AgencyDeadline); err != nil {
		return nil, err
	}
	if cfg.Travel.SpeedKmh == nil {
		cfg.Travel = tracking.DefaultTravel()
	}
	a = &App{cfg: cfg, log: log, AdminToken: cfg.AdminToken}
	defer func() {
		if err != nil {
			a.Close()
			a = nil
		}
	}()
	if a.AdminToken == "" {
		a.AdminToken, a.generated = rand.Text(), true
	}
	if !cfg.OpenAPI && len(a.AdminToken) < accounts.MinAdminToken {
		return a, fmt.Errorf("SIAGA112_ADMIN_TOKEN has %d characters; it must have at least %d (it is also the MQTT gateway password): "+
			"use a long random one (openssl rand -base64 24), or unset it to have one made", len(a.AdminToken), accounts.MinAdminToken)
	}
	districts, err := loadDistricts(cfg, log)
	if err != nil {
		return a, err
	}
	fleetCfg := fleet.Config{StaleAfter: cfg.StaleAfter, OfflineAfter: cfg.OfflineAfter, Now: cfg.Now}
	if cfg.OSMSnapM <= 0 {
		cfg.OSMSnapM = roads.DefaultSnapM
	}
	if cfg.OSM != "" { // before any listener opens: /healthz answers once routing is ready
		if a.Roads, err = loadRoads(ctx, cfg, districts, log); err != nil {
			return a, err
		}
		g, snapM := a.Roads, cfg.OSMSnapM
		fleetCfg.Snap = func(p orb.Point) geo.RoadPoint { return g.Snap(p, snapM) }
	}
	a.Fleet = fleet.New(fleetCfg)
	checks := map[string]web.Check{}
	mem := memstore.New()
	a.Store, a.History, a.Records = mem, mem, mem
	var positions tracking.PositionLog
	var trail tracking.AuditLog = mem
	if cfg.DB == "" {
		log.Warn("no database configured (--db or DATABASE_URL): state is kept in memory and lost when the server stops")
	} else {
		// On a shared external broker every instance hears every fix: one writes them.
		oneWriter := cfg.MQTTURL != ""
		if a.Postgres, err = postgres.Open(ctx, cfg.DB, postgres.Config{Logger: log, PositionsRetention: cfg.PositionsRetention, OneWriter: oneWriter, CanLead: a.hearsFixes}); err != nil {
			return a, fmt.Errorf("--db: %w", err)
		}
		pg := a.Postgres
		a.onClose(func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pg.Close(closeCtx)
		})
		a.Store, a.History, a.Records, positions = pg, pg, pg, pg
		trail = pg
		checks["database"] = pg.Healthy
		log.Info("state in PostgreSQL; positions flushed every 500 ms")
		// What other instances change after this is read back once
		// listening starts (shared.go); the services load up to now.
		_, seen, err := pg.Records(ctx, math.MaxInt64)
		if err != nil {
			return a, fmt.Errorf("--db: %w", err)
		}
		a.seen.Store(seen)
	}
	switch {
	case cfg.Accounts != nil:
		a.Accounts = cfg.Accounts
	case !cfg.OpenAPI:
		if a.Accounts, err = accounts.New(ctx, accounts.Config{Store: a.Records, AdminToken: a.AdminToken, Logger: log, Now: cfg.Now}); err != nil {
			return a, err
		}
	}

	log.Info("travel-time model: great-circle distance × detour ÷ speed", "detour", cfg.Travel.Detour, "speeds_kmh", geo.FormatSpeeds(cfg.Travel.SpeedKmh))

	plans := dispatch.DefaultPlans()
	if cfg.Plans != "" {
		if plans, err = loadPlans(cfg.Plans); err != nil {
			return a, err
		}
		log.Info("response plans loaded", "file", cfg.Plans, "categories", len(plans.All()), "agencies", len(plans.Agencies))
	}
	tracks := a.history(positions)
	if positions == nil {
		positions = tracks.(tracking.PositionLog)
	}
	fences, rules, err := loadGeofences(cfg, log)
	if err != nil {
		return a, err
	}
	bus := tracking.NewBus()
	a.Units, err = units.New(ctx, units.Config{Fleet: a.Fleet, Store: a.Store, Bus: bus, Positions: positions, Logger: log, Now: cfg.Now,
		Geofences: fences, GeofenceRules: rules, GeofenceStore: a.Records})
	if err != nil {
		return a, err
	}
	a.Dispatch, err = dispatch.New(ctx, dispatch.Config{
		Fleet: a.Fleet, Plans: plans, Router: cfg.Travel, Locator: districts, Store: a.Store,
		Bus: bus, Logger: log, PrankWindow: cfg.PrankWindow, Now: cfg.Now,
		ArrivalRadiusM: cfg.ArrivalM, ArrivalDwell: cfg.ArrivalDwell, Leading: leading(a.Postgres), AgencyDeadline: cfg.AgencyDeadline,
		Roads: a.Roads, SnapM: cfg.OSMSnapM, Speeds: cfg.Travel.SpeedKmh,
	})
	if err != nil {
		return a, err
	}
	a.Units.Follow(a.Dispatch) // dispatch follows the units it sent
	if err := a.startPlaces(ctx, districts); err != nil {
		return a, err
	}
	if cfg.Demo {
		if err := a.seedDemoHistory(ctx, plans, districts); err != nil {
			return a, err
		}
	}
	planner, err := a.analytics(ctx, plans, districts)
	if err != nil {
		return a, err
	}
	// The ETA accuracy report reads the assignments and the position
	// history where they are kept.
	planner.ArrivalRadiusM = a.Dispatch.ArrivalRadiusM()
	if a.Postgres != nil {
		planner.Trips = a.Postgres
	} else {
		planner.Trips = memstore.Trips{Store: mem, Positions: tracks.(*memstore.Positions)}
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if a.Postgres != nil {
		reg.MustRegister(a.Postgres)
	}
	reg.MustRegister(a.Dispatch) // recommendation and dispatch latency, open and overdue incidents
	if !cfg.NoMQTT {
		if err := a.startMQTT(ctx, reg, checks); err != nil {
			return a, err
		}
	}
	front, err := a.startHTTPTrackers(reg)
	if err != nil {
		return a, err
	}
	if err := a.startAccountability(ctx, bus, reg); err != nil {
		return a, err
	}
	a.Agencies = &agencyDirectory{base: plans.Agencies, deadline: a.Clock.Deadline(), store: a.Records, incs: a.incidentsReceived, now: cfg.Now}
	if err := a.Agencies.load(ctx); err != nil {
		return a, err
	}
	if a.Postgres != nil {
		a.share(a.Postgres) // other instances on the same database; everything it feeds is built
	}
	var callLog tracking.CallLog = mem
	if a.Postgres != nil {
		callLog = a.Postgres
	}
	var baseMap web.BaseMap
	if cfg.OSM != "" {
		if a.BaseMap, err = loadBaseMap(ctx, cfg, districts, log); err != nil {
			return a, err
		}
		baseMap = a.BaseMap
	}
	a.Web, err = web.New(web.Config{
		Agencies: a.Agencies, Compliance: complianceSource{a.Agencies}, Webhooks: a.Webhooks, CallLog: callLog,
		Fleet: a.Units, Logger: log, Registry: reg, Gazetteer: mapdata.Serang(), Districts: districts,
		Dispatch: a.Dispatch, Checks: checks, Bus: a.Dispatch.Bus(), Analytics: planner, Auth: webAccounts(a.Accounts), Audit: trail,
		LiveClients: cfg.LiveClients, IncidentRate: cfg.IncidentRate, CallRate: cfg.CallRate,
		TLSCert: cfg.TLSCert, TLSKey: cfg.TLSKey, Tiles: cfg.Tiles, TilesAttribution: cfg.TilesAttribution,
		Front:  front,
		Tracks: tracks, Regions: a.Units, Geofences: a.Units,
		Places: a.Places, PlaceBook: a.PlaceBook, BaseMap: baseMap, Interop: interopEncoder(cfg, plans),
		DispatchTarget: cfg.DispatchTarget,
	})
	if err != nil {
		return a, err
	}
	a.onClose(a.Web.Close)
	return a, nil
}

// Close releases everything New built, in reverse order.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

func (a *App) onClose(f func()) { a.closers = append(a.closers, f) }
