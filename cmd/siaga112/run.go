package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/analytics"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/postgres"
	"siaga112/web"
)

// run wires the server, serves until ctx ends, and closes everything in
// reverse order. It prints the URL to out once the server is ready.
func run(ctx context.Context, cfg config, log *slog.Logger, out io.Writer) error {
	adminToken, generated := cfg.AdminToken, false
	if adminToken == "" {
		adminToken, generated = rand.Text(), true
	}
	accounts := web.NewAccounts(adminToken)
	index := fleet.New(fleet.Config{StaleAfter: cfg.StaleAfter, OfflineAfter: cfg.OfflineAfter})
	checks := map[string]web.Check{}
	var store tracking.Store = memstore.New()
	var positions tracking.PositionLog
	var pg *postgres.Store
	if cfg.DB == "" {
		log.Warn("no database configured (--db or DATABASE_URL): state is kept in memory and lost when the server stops")
	} else {
		var err error
		if pg, err = postgres.Open(ctx, cfg.DB, postgres.Config{Logger: log}); err != nil {
			return fmt.Errorf("--db: %w", err)
		}
		defer func() {
			closeCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			pg.Close(closeCtx)
		}()
		store, positions = pg, pg
		checks["database"] = pg.Healthy
		log.Info("state in PostgreSQL; positions flushed every 500 ms")
	}

	districts, err := loadDistricts(cfg, log)
	if err != nil {
		return err
	}
	log.Info("travel-time model: great-circle distance × detour ÷ speed", "detour", cfg.Travel.Detour, "speeds_kmh", geo.FormatSpeeds(cfg.Travel.SpeedKmh))

	plans := dispatch.DefaultPlans()
	if cfg.Plans != "" {
		if plans, err = loadPlans(cfg.Plans); err != nil {
			return err
		}
		log.Info("response plans loaded", "file", cfg.Plans, "categories", len(plans.All()), "agencies", len(plans.Agencies))
	}
	svc, err := dispatch.New(ctx, dispatch.Config{
		Fleet: index, Plans: plans, Router: cfg.Travel, Locator: districts, Store: store, Positions: positions,
		Bus: tracking.NewBus(), Logger: log, PrankWindow: cfg.PrankWindow,
		ArrivalRadiusM: cfg.ArrivalM, ArrivalDwell: cfg.ArrivalDwell,
	})
	if err != nil {
		return err
	}

	history := analytics.NewIndex()
	historyStore, _ := store.(tracking.HistoryStore)
	if past, err := historyStore.History(ctx); err != nil {
		return err
	} else if len(past) > 0 {
		log.Info("incident history loaded", "incidents", history.Add(past))
	}
	planner := &web.Analytics{
		Index: history, Store: historyStore, Router: cfg.Travel, CityBound: cityBound(),
		Importer: analytics.Importer{
			Known:   func(c tracking.Category) bool { _, err := plans.Plan(c); return err == nil },
			Locator: districts,
		},
		Live: func() []tracking.Incident { return svc.List(dispatch.Filter{}) },
		SQL:  querier(pg),
		Nearest: func(t tracking.UnitType) analytics.Nearest {
			f := fleet.Filter{Types: []tracking.UnitType{t}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}
			return func(p orb.Point) (tracking.Unit, float64, bool) {
				for u, d := range index.Nearest(p, f) {
					return u, d, true
				}
				return tracking.Unit{}, 0, false
			}
		},
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if pg != nil {
		reg.MustRegister(pg)
	}

	brokerURL := cfg.MQTTURL
	var broker *mqtt.Broker
	if brokerURL == "" {
		if broker, err = startBroker(cfg, log, svc, index, adminToken); err != nil {
			return err
		}
		defer broker.Close()
		reg.MustRegister(broker)
		brokerURL = broker.URL()
		checks["mqtt_broker"] = broker.Healthy
	}

	if cfg.MQTTURL == "" && cfg.MQTTUsername == "" {
		// On the embedded broker the server's own clients are the gateway user.
		cfg.MQTTUsername, cfg.MQTTPassword = "admin", adminToken
	}
	// On the embedded broker the ingest subscribes in-process.
	ingest := mqtt.NewIngest(mqtt.Config{
		Broker: broker, URL: brokerURL, ClientID: cfg.MQTTClientID, Username: cfg.MQTTUsername, Password: cfg.MQTTPassword, Logger: log,
	}, svc) // through dispatch, so assignments follow the crews
	reg.MustRegister(ingest)
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err = ingest.Start(startCtx)
	cancel()
	defer ingest.Close()
	if err != nil {
		if ctx.Err() != nil {
			return nil
		}
		// Keep serving: the client goes on trying, and /healthz says so.
		log.Error("MQTT broker not reachable yet; still trying in the background", "broker", brokerURL, "err", err)
	}

	checks["mqtt"] = func() error {
		if !ingest.Connected() {
			return fmt.Errorf("not connected and subscribed to the MQTT broker %s; retrying", brokerURL)
		}
		return nil
	}
	srv, err := web.New(web.Config{
		Fleet: fleetAPI{index, svc}, Logger: log, Registry: reg, Gazetteer: mapdata.Serang(), Districts: districts, Dispatch: svc,
		Checks: checks, Bus: svc.Bus(), Analytics: planner, Auth: accounts, TLSCert: cfg.TLSCert, TLSKey: cfg.TLSKey, Tiles: cfg.Tiles, TilesAttribution: cfg.TilesAttribution,
	})
	if err != nil {
		return err
	}
	defer srv.Close()
	ln, err := web.Listen(cfg.HTTP)
	if err != nil {
		return err
	}

	demoDone := make(chan struct{})
	close(demoDone)
	if cfg.Demo {
		demoDone = make(chan struct{})
		if err := startDemo(ctx, cfg.DemoUnits, svc, brokerURL, cfg, log, demoDone); err != nil {
			ln.Close()
			return err
		}
	}

	base := httpURL(ln.Addr(), cfg.TLSCert != "")
	if broker != nil && broker.TLSAddr() != "" {
		brokerURL += ", MQTT over TLS ssl://" + broker.TLSAddr()
	}
	if generated {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=%s (signs you in as admin; API: Authorization: Bearer %s; MQTT %s)\n", base, adminToken, adminToken, brokerURL)
	} else {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=<SIAGA112_ADMIN_TOKEN> (MQTT %s)\n", base, brokerURL)
	}
	err = srv.Serve(ctx, ln)
	<-demoDone
	log.Info("siaga112 stopped")
	return err
}

// querier pushes analytics into SQL when there is a database.
func querier(pg *postgres.Store) analytics.Querier {
	if pg == nil {
		return nil
	}
	return pg
}

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

// fleetAPI is the fleet as the web layer sees it: reads from the index,
// registrations through dispatch so they are published.
type fleetAPI struct {
	*fleet.Index
	svc *dispatch.Service
}

func (f fleetAPI) Register(r tracking.Registration) (tracking.Unit, bool, error) {
	return f.svc.Register(r)
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

// loadDistricts loads the official boundaries, or falls back to the
// gazetteer (and says so).
func loadDistricts(cfg config, log *slog.Logger) (*geo.DistrictIndex, error) {
	g := mapdata.Serang()
	if cfg.Boundaries == "" {
		log.Warn("no official boundaries (--boundaries): incidents are located approximately, by the nearest kelurahan point of the gazetteer; answers say \"approximate\": true")
		return geo.NewApproxIndex(g.Districts()), nil
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
