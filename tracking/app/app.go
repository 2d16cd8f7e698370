// Package app builds the whole siaga112 server from a Config: stores, the
// fleet, the services, the MQTT broker and ingest, the web server. cmd only
// turns flags and environment into a Config; tests build through New too,
// so what they exercise is what runs.
package app

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"math"
	mrand "math/rand/v2"
	"net"
	"os"
	"slices"
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
	"siaga112/tracking/analytics"
	"siaga112/tracking/deadline"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/internal/connlimit"
	"siaga112/tracking/memstore"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/placebook"
	"siaga112/tracking/postgres"
	"siaga112/tracking/units"
	"siaga112/tracking/webhook"
	"siaga112/web"
)

// Config is everything the server is built from.
type Config struct {
	HTTP         string // listen address; Run serves on it
	MQTTListen   string // embedded broker's listen address (unused with MQTTURL)
	MQTTURL      string // external broker; empty: embed one
	MQTTUsername string
	MQTTPassword string
	MQTTClientID string
	// MQTTListenDefault: --mqtt-listen was not given (flag or env), so the
	// embedded broker may take the next free port when 1883 is taken.
	MQTTListenDefault  bool
	MQTTTLSListen      string
	MQTTMaxConns       int
	MQTTMaxConnsPerIP  int
	MQTTConnectTimeout time.Duration
	MQTTRate           float64
	MQTTBurst          int
	NoMQTT             bool // no broker and no ingest (tests of the HTTP API alone)
	Demo               bool
	DemoUnits          int
	StaleAfter         time.Duration
	OfflineAfter       time.Duration
	LogLevel           slog.Level // the level cmd's logger was built with
	Boundaries         string
	BoundaryCode       string
	BoundaryName       string
	Travel             geo.DetourModel
	DB                 string // PostgreSQL URL; empty: state in memory
	AdminToken         string // empty: a random one, printed at start
	OpenAPI            bool   // serve the API without accounts (tests, embedding)
	TLSCert            string
	TLSKey             string
	Tiles              string
	TilesAttribution   string
	Plans              string
	Geofences          string        // GeoJSON file of fences (geofences.go)
	GeofenceRules      string        // JSON file of rules; empty: geofence.DefaultRules
	PositionsRetention time.Duration // with DB: how long fixes are kept (default 90 days)
	PrankWindow        time.Duration
	ArrivalM           float64
	ArrivalDwell       time.Duration
	LiveClients        int              // cap on live-feed clients (default web.DefaultLiveClients)
	IncidentRate       int              // incidents one principal may create per minute (default DefaultIncidentRate)
	CallRate           int              // calls one principal may log per minute (default web.DefaultCallRate)
	AgencyDeadline     time.Duration    // the SOP deadline (--agency-deadline; default 72h)
	WebhookBackoff     time.Duration    // first retry's delay (default 30 s; tests shorten it)
	WebhookPoll        time.Duration    // how often due retries are looked for (default 1 s)
	Now                func() time.Time // default time.Now (tests pass a fake clock)
	// Accounts, when set, is used instead of building the accounts service
	// from the store (tests that drive its clock).
	Accounts *accounts.Service

	// WebhookAllowPrivate lets webhooks target loopback, link-local and
	// private addresses (--webhook-allow-private; default refused).
	WebhookAllowPrivate bool

	// OsmAndListen is the OsmAnd protocol's listen address (Traccar
	// Client, hardware trackers); "": off. OsmAndListenDefault: the flag
	// was not given, so a taken port turns the listener off with a warning.
	OsmAndListen        string
	OsmAndListenDefault bool
	// OsmAndKeyless takes OsmAnd requests without a key by their tracker
	// id alone (--osmand-keyless; off: every request needs the unit's
	// device password). OsmAndMaxConnsPerAddr caps the OsmAnd listener's
	// connections from one address (0: the default).
	OsmAndKeyless         bool
	OsmAndMaxConnsPerAddr int

	// OSM is an OpenStreetMap PBF extract (--osm), read at start: with it,
	// ETAs, routes and isochrones follow the roads, and place search reads
	// its named streets and POIs; the offline base map is drawn from it. RoadSpeeds are km/h per highway
	// class (nil: roads.DefaultSpeedsKmh); OSMSnapM is how far from every
	// drivable way a point may lie and still be routed (default 500 m).
	OSM        string
	RoadSpeeds map[string]float64
	OSMSnapM   float64
}

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
		Places: a.Places, PlaceBook: a.PlaceBook, BaseMap: baseMap,
	})
	if err != nil {
		return a, err
	}
	a.onClose(a.Web.Close)
	return a, nil
}

// startMQTT embeds a broker (unless an external one is configured) and
// starts the ingest, which keeps trying in the background when the broker
// is not reachable yet.
func (a *App) startMQTT(ctx context.Context, reg *prometheus.Registry, checks map[string]web.Check) error {
	cfg := &a.cfg
	a.BrokerURL = cfg.MQTTURL
	var broker *mqtt.Broker
	if a.BrokerURL == "" {
		var err error
		var gateway mqtt.Gateway
		if a.Accounts != nil {
			gateway = a.Accounts // wrong gateway passwords throttled per address
		}
		if broker, err = startBroker(*cfg, a.log, a.Units, a.Fleet, a.AdminToken, gateway); err != nil {
			return err
		}
		a.onClose(func() { broker.Close() })
		reg.MustRegister(broker)
		a.BrokerURL = broker.URL()
		a.Broker = broker
		checks["mqtt_broker"] = broker.Healthy
	}
	if cfg.MQTTURL == "" && cfg.MQTTUsername == "" {
		// On the embedded broker the server's own clients are the gateway user.
		cfg.MQTTUsername, cfg.MQTTPassword = "admin", a.AdminToken
	}
	// On the embedded broker the ingest subscribes in-process.
	a.Ingest = mqtt.NewIngest(mqtt.Config{
		Broker: broker, URL: a.BrokerURL, ClientID: cfg.MQTTClientID, Username: cfg.MQTTUsername, Password: cfg.MQTTPassword, Logger: a.log,
		Regions: a.Units, Secrets: a.Units,
	}, a.Units) // dispatch hears the fixes and statuses of its units from the units service
	reg.MustRegister(a.Ingest)
	a.ingest.Store(a.Ingest)
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := a.Ingest.Start(startCtx)
	cancel()
	a.onClose(a.Ingest.Close)
	if err != nil && ctx.Err() == nil {
		// Keep serving: the client goes on trying, and /healthz says so.
		a.log.Error("MQTT broker not reachable yet; still trying in the background", "broker", a.BrokerURL, "err", err)
	}
	ingest, url := a.Ingest, a.BrokerURL
	checks["mqtt"] = func() error {
		if !ingest.Connected() {
			return fmt.Errorf("not connected and subscribed to the MQTT broker %s; retrying", url)
		}
		return nil
	}
	return nil
}

// analytics builds the planners' side and loads the incident history.
func (a *App) analytics(ctx context.Context, plans *dispatch.Plans, districts *geo.DistrictIndex) (*web.Analytics, error) {
	history := analytics.NewIndex()
	past, err := a.History.History(ctx)
	if err != nil {
		return nil, err
	}
	if len(past) > 0 {
		a.log.Info("incident history loaded", "incidents", history.Add(past))
	}
	// Synthetic history (a --demo run's, kept by the database) is shown as
	// such whether or not this run is a demo.
	synthetic := slices.ContainsFunc(past, tracking.HistoryRecord.IsSynthetic)
	if synthetic && !a.cfg.Demo {
		a.log.Warn("the incident history holds a demo's synthetic incidents (ids synthetic-…); the planner page says so")
	}
	var sql analytics.Querier
	if a.Postgres != nil {
		sql = a.Postgres // push analytics into SQL when there is a database
	}
	index, svc := a.Fleet, a.Dispatch
	return &web.Analytics{
		Index: history, Store: a.History, Router: a.cfg.Travel, CityBound: cityBound(),
		Importer: analytics.Importer{
			Known:   func(c tracking.Category) bool { _, err := plans.Plan(c); return err == nil },
			Locator: districts,
		},
		Live:      func() []tracking.Incident { return svc.List(dispatch.Filter{}) },
		SQL:       sql,
		Synthetic: synthetic,
		Nearest: func(t tracking.UnitType) analytics.Nearest {
			f := fleet.Filter{Types: []tracking.UnitType{t}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}
			return func(p orb.Point) (tracking.Unit, float64, bool) {
				for u, d := range index.Nearest(p, f) {
					return u, d, true
				}
				return tracking.Unit{}, 0, false
			}
		},
	}, nil
}

// Run serves HTTP on cfg.HTTP (and drives the demo fleet with Demo) until
// ctx ends. It prints the URL to out once the server is ready.
func (a *App) Run(ctx context.Context, out io.Writer) error {
	ln, err := web.Listen(a.cfg.HTTP)
	if err != nil {
		return err
	}
	// The web port's share of the descriptors: a flood here leaves the
	// broker's devices theirs (and the other way round).
	ln = connlimit.Limit(ln, connlimit.Share(connlimit.FileLimit(), connlimit.Web), 0, nil)
	demoDone := make(chan struct{})
	close(demoDone)
	if a.cfg.Demo && a.Ingest != nil {
		demoDone = make(chan struct{})
		if err := startDemo(ctx, a.cfg.DemoUnits, a.Units, a.BrokerURL, a.cfg, a.log, demoDone); err != nil {
			ln.Close()
			return err
		}
	}
	callsDone := make(chan struct{})
	close(callsDone)
	if a.cfg.Demo {
		callsDone = make(chan struct{})
		go func() {
			defer close(callsDone)
			a.raiseSyntheticCalls(ctx, mrand.New(mrand.NewPCG(DemoHistorySeed, 1)))
		}()
	}
	base := httpURL(ln.Addr(), a.cfg.TLSCert != "")
	mqttURLs := a.BrokerURL
	if a.Broker != nil && a.Broker.TLSAddr() != "" {
		mqttURLs += ", MQTT over TLS ssl://" + a.Broker.TLSAddr()
	}
	if a.generated {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=%s (signs you in as admin; API: Authorization: Bearer %s; MQTT %s)\n", base, a.AdminToken, a.AdminToken, mqttURLs)
	} else {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=<SIAGA112_ADMIN_TOKEN> (MQTT %s)\n", base, mqttURLs)
	}
	if loopback(ln.Addr()) {
		fmt.Fprintln(out, onlyHere)
	}
	err = a.Web.Serve(ctx, ln)
	<-demoDone
	<-callsDone
	a.log.Info("siaga112 stopped")
	return err
}

// Close releases everything New built, in reverse order.
func (a *App) Close() {
	for i := len(a.closers) - 1; i >= 0; i-- {
		a.closers[i]()
	}
	a.closers = nil
}

func (a *App) onClose(f func()) { a.closers = append(a.closers, f) }

// cityBound is the box around Kota Serang's kelurahan points, padded to
// reach their edges (coverage cells are then kept only inside the city).
func cityBound() orb.Bound {
	var b orb.Bound
	for i, k := range mapdata.Serang().Kelurahan {
		if i == 0 {
			b = k.Point.Bound()
		}
		b = b.Extend(k.Point)
	}
	return b.Pad(0.03)
}

func loadPlans(path string) (*dispatch.Plans, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--plans: %w", err)
	}
	defer f.Close()
	p, err := dispatch.ParsePlans(f)
	if err != nil {
		return nil, fmt.Errorf("--plans %s: %w", path, err)
	}
	return p, nil
}

// loadDistricts loads the boundaries of --boundaries, or the embedded
// official ones of Kota Serang.
func loadDistricts(cfg Config, log *slog.Logger) (*geo.DistrictIndex, error) {
	g := mapdata.Serang()
	if cfg.Boundaries == "" {
		log.Info("official boundaries: Kota Serang's embedded kelurahan layer (BIG via cahyadsn/wilayah_boundaries, MIT)", "kelurahan", len(mapdata.SerangDistricts()))
		return geo.NewExactIndex(mapdata.SerangDistricts()), nil
	}
	f, err := os.Open(cfg.Boundaries)
	if err != nil {
		return nil, fmt.Errorf("--boundaries: %w", err)
	}
	defer f.Close()
	ds, err := mapdata.LoadBoundaries(f, g, mapdata.BoundaryOptions{CodeProperty: cfg.BoundaryCode, NameProperty: cfg.BoundaryName})
	if err != nil {
		return nil, fmt.Errorf("--boundaries %s: %w", cfg.Boundaries, err)
	}
	log.Info("official boundaries loaded", "file", cfg.Boundaries, "kelurahan", len(ds))
	return geo.NewExactIndex(ds), nil
}

func httpURL(a net.Addr, tls bool) string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return scheme + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// onlyHere is what Run prints when the web listener is on loopback (a
// demo's default): nobody else can reach it, and how to change that.
const onlyHere = "It listens on this machine only (127.0.0.1). To open it to the network, give the addresses, " +
	"e.g. --http :8080 --mqtt-listen :1883 --osmand-listen :5055 (or SIAGA112_HTTP=:8080 …), with a token of your own " +
	"(SIAGA112_ADMIN_TOKEN) and TLS: docs/security.md."

// loopback says whether addr is a loopback address.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
