// Package web is siaga112's HTTP face: the JSON API, health and metrics.
package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/paulmach/orb"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/interop"
)

// Fleet is what the web layer needs of the units service: the live fleet
// to read, and the changes a person makes to units (each with its actor).
type Fleet interface {
	List() []tracking.Unit
	Get(id string) (tracking.Unit, error)
	CountByLiveness() map[tracking.Liveness]int
	Register(ctx context.Context, r tracking.Registration, actor string) (tracking.Unit, bool, error)
	SetUnitStatus(ctx context.Context, id string, st tracking.Status, actor string) (tracking.Unit, error)
	IssueDeviceSecret(ctx context.Context, id, actor string) (string, error)
	SetTrackers(ctx context.Context, id string, t tracking.TrackerSettings, actor string) (tracking.Unit, error)
	UnitByTrackerID(trackerID string) (unitID string, ok bool)
	// SetDisabled and Delete retire a unit (units.go).
	SetDisabled(ctx context.Context, id string, disabled bool, actor string) (tracking.Unit, error)
	Delete(ctx context.Context, id, actor string) error
}

// Check reports the health of one component; nil means healthy.
type Check func() error

// Config wires the server.
type Config struct {
	Fleet    Fleet
	Logger   *slog.Logger
	Registry *prometheus.Registry // the server registers its own collectors here
	Checks   map[string]Check     // component name → health check, for /healthz
	// Gazetteer and Districts place points in Kota Serang. Default: the
	// embedded gazetteer, approximate.
	Gazetteer *mapdata.Gazetteer
	Districts Districts
	// Dispatch serves incidents and callers; without it those routes are
	// not served.
	Dispatch Dispatch
	// Bus feeds /api/live; without it the live feed is not served.
	Bus Bus
	// LiveClients caps the live feed's clients (default DefaultLiveClients);
	// one more is answered 503.
	LiveClients int
	// IncidentRate is how many incidents one principal may create per
	// minute (default DefaultIncidentRate); more are answered 429.
	IncidentRate int
	// CallRate is how many calls one principal may log per minute
	// (POST /api/calls and the prank shortcut together; default
	// DefaultCallRate); more are answered 429.
	CallRate int
	// Analytics serves the planners; without it those routes are not served.
	Analytics *Analytics
	// Auth holds the accounts; nil leaves the API open (tests, embedding).
	Auth Accounts
	// Audit reads the audit trail back (incident timelines, GET /api/audit);
	// nil: those routes are not served.
	Audit tracking.AuditLog
	// TLSCert and TLSKey, when set, make the server speak HTTPS.
	TLSCert, TLSKey string
	// Tiles is the base map's tile URL template and its attribution;
	// "" with a BaseMap: the offline map alone, else OpenStreetMap's tiles.
	Tiles, TilesAttribution string
	// BaseMap, when set, serves the offline base map drawn from the OSM
	// extract (basemap.go): the page's map without tiles, or when they fail.
	BaseMap BaseMap
	// Front, when set, wraps the whole handler: the tracker ingest answers
	// OwnTracks' POST /pub (its own Basic auth, not the API's sessions) and
	// trackers pointed at the wrong port before anything else.
	Front func(http.Handler) http.Handler
	// Tracks, Regions and Geofences serve the units' history and the
	// fences (track.go, geofences.go); each route is served when set.
	Tracks    tracking.TrackReader
	Regions   Regions
	Geofences Geofences
	// Issue 16, each optional: the agencies and their contacts, webhooks
	// (admins), the compliance report (planners), the call log.
	Agencies   AgencyDirectory
	Webhooks   WebhookService
	Compliance ComplianceSource
	CallLog    tracking.CallLog
	// Places searches places and names points (GET /api/places,
	// /api/places/reverse); PlaceBook serves the centre's entries
	// (/api/places/{id}). Each route is served when set (places.go).
	Places    PlaceSearch
	PlaceBook PlaceBook
	// Interop writes incidents as CAP and EIDO (?format=cap|eido); the
	// zero value writes with the defaults (interop.DefaultPSAPID).
	Interop interop.Encoder
	// DispatchTarget is how long an incident may wait for its first unit
	// before the console marks it late (default DefaultDispatchTarget).
	DispatchTarget time.Duration
}

// Server serves the API. It is an http.Handler.
type Server struct {
	cfg          Config
	log          *slog.Logger
	handler      http.Handler
	hub          *liveHub // nil without a Bus
	incidentRate *perPrincipal
	callRate     *perPrincipal
	geoms        map[string]orb.Geometry // area code → polygons or point
	areaDocs     map[string]*cachedDoc   // level → encoded areas
	apiFallback  http.HandlerFunc        // unknown API paths and methods
	httpMetrics  *httpMetrics
	routes       []string     // every pattern served, for the OpenAPI check
	work         AgencyWork   // agency users' side of dispatch; nil without
	agencyFeeds  atomic.Int64 // agency users' live feeds open
	phone        Phone        // the phone edge (phone.go); nil without
}

// New builds the server and registers its metrics.
func New(cfg Config) (*Server, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Registry == nil {
		cfg.Registry = prometheus.NewRegistry()
	}
	if cfg.Gazetteer == nil {
		cfg.Gazetteer = mapdata.Serang()
	}
	if cfg.DispatchTarget <= 0 {
		cfg.DispatchTarget = DefaultDispatchTarget
	}
	if cfg.Districts == nil {
		cfg.Districts = geo.NewApproxIndex(cfg.Gazetteer.Districts())
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("component", "web")}
	if cfg.Tiles == "" && cfg.BaseMap == nil {
		cfg.Tiles = DefaultTiles
		cfg.TilesAttribution = DefaultTilesAttribution
	} else if cfg.Tiles == "" {
		cfg.TilesAttribution = ""
	}
	s.cfg = cfg
	s.incidentRate = newPerPrincipal(cfg.IncidentRate, DefaultIncidentRate, "incidents", "--incident-rate")
	s.callRate = newPerPrincipal(cfg.CallRate, DefaultCallRate, "calls", "--call-rate")
	s.geoms = areaGeometries(cfg.Gazetteer, cfg.Districts)
	var err error
	if s.areaDocs, err = s.encodeAreas(); err != nil {
		return nil, err
	}
	if err := cfg.Registry.Register(unitsCollector{cfg.Fleet}); err != nil {
		return nil, fmt.Errorf("register unit metrics: %w", err)
	}
	if cfg.Bus != nil {
		s.hub = newLiveHub(s, cfg.LiveClients)
		if err := cfg.Registry.Register(s.hub); err != nil {
			return nil, fmt.Errorf("register live metrics: %w", err)
		}
	}
	s.httpMetrics = newHTTPMetrics()
	if err := cfg.Registry.Register(s.httpMetrics.duration); err != nil {
		return nil, fmt.Errorf("register http metrics: %w", err)
	}
	mux := routeRecorder{http.NewServeMux(), &s.routes}
	// The page's files and /healthz are public; every /api route and
	// /metrics need credentials (see auth.go for the roles).
	mux.Handle("GET /", staticFiles())
	mux.HandleFunc("GET /healthz", s.health)
	metrics := promhttp.HandlerFor(cfg.Registry, promhttp.HandlerOpts{})
	mux.HandleFunc("GET /metrics", s.guard(readers, metrics.ServeHTTP))
	mux.HandleFunc("GET /api/config", s.guard(readers, s.config))
	mux.HandleFunc("GET /api/units", s.guard(readers, s.listUnits))
	mux.HandleFunc("GET /api/openapi.json", s.guard(readers, s.openAPI))
	mux.HandleFunc("GET /api/units/{id}", s.guard(readers, s.getUnit))
	mux.HandleFunc("PUT /api/units/{id}", s.guard(adminsOnly, s.putUnit))
	mux.HandleFunc("PATCH /api/units/{id}", s.guard(adminsOnly, s.patchUnit))
	mux.HandleFunc("DELETE /api/units/{id}", s.guard(adminsOnly, s.deleteUnit))
	mux.HandleFunc("GET /api/locate", s.guard(readers, s.locate))
	mux.HandleFunc("GET /api/areas", s.guard(readers, s.areas))
	mux.HandleFunc("GET /basemap/{z}/{x}/{y}", s.guard(readers, s.baseMapTile))
	for _, m := range apiMethods { // the rest of /basemap/, in JSON
		mux.ServeMux.HandleFunc(m+" /basemap/", baseMapFallback)
	}
	s.historyRoutes(mux)
	s.placeRoutes(mux)
	if cfg.Auth != nil {
		mux.HandleFunc("POST /api/login", s.login)
		mux.HandleFunc("POST /api/logout", s.logout)
		mux.HandleFunc("GET /api/me", s.guard(withAgencies, s.me))
		mux.HandleFunc("GET /api/users", s.guard(adminsOnly, s.listUsers))
		mux.HandleFunc("POST /api/users", s.guard(adminsOnly, s.addUser))
		mux.HandleFunc("GET /api/users/{name}", s.guard(adminsOnly, s.getUser))
		mux.HandleFunc("PATCH /api/users/{name}", s.guard(adminsOnly, s.patchUser))
		mux.HandleFunc("DELETE /api/users/{name}", s.guard(adminsOnly, s.deleteUser))
		mux.HandleFunc("POST /api/tokens", s.guard(adminsOnly, s.issueToken))
		mux.HandleFunc("GET /api/tokens", s.guard(adminsOnly, s.listTokens))
		mux.HandleFunc("DELETE /api/tokens/{id}", s.guard(adminsOnly, s.deleteToken))
		if err := cfg.Registry.Register(cfg.Auth); err != nil {
			return nil, fmt.Errorf("register auth metrics: %w", err)
		}
	}
	if cfg.Dispatch != nil {
		s.work, _ = cfg.Dispatch.(AgencyWork)
		s.phoneRoutes(mux, cfg.Dispatch)
		if rec, ok := cfg.Dispatch.(CallRecorder); ok {
			s.cfg.Dispatch = loggingDispatch{cfg.Dispatch, rec} // the prank shortcut logs its call
		}
		mux.HandleFunc("POST /api/incidents", s.guard(dispatchers, s.createIncident))
		mux.HandleFunc("GET /api/incidents", s.guard(withAgencies, s.agencyAware(s.listIncidents, s.listAgencyIncidents)))
		mux.HandleFunc("GET /api/incidents/{id}", s.guard(withAgencies, s.agencyAware(s.getIncident, s.getAgencyIncident)))
		mux.HandleFunc("POST /api/incidents/{id}/dispatch", s.guard(dispatchers, s.dispatchUnits))
		mux.HandleFunc("POST /api/incidents/{id}/units/{unit}/status", s.guard(dispatchers, s.unitStatus))
		mux.HandleFunc("POST /api/incidents/{id}/ack", s.guard(dispatchersAndAgencies, s.agencyAware(s.ackIncident, s.agencyAck)))
		mux.HandleFunc("POST /api/incidents/{id}/notes", s.guard(agenciesOnly, s.agencyAware(s.notAnAgency, s.agencyNote)))
		mux.HandleFunc("POST /api/incidents/{id}/done", s.guard(agenciesOnly, s.agencyAware(s.notAnAgency, s.agencyDone)))
		mux.HandleFunc("GET /api/agency/queue", s.guard(agenciesOnly, s.agencyAware(s.notAnAgency, s.agencyQueue)))
		if rec, ok := cfg.Dispatch.(CallRecorder); ok {
			mux.HandleFunc("POST /api/calls", s.guard(dispatchers, s.postCall(rec)))
		}
		if cfg.CallLog != nil {
			mux.HandleFunc("GET /api/calls", s.guard(readers, s.listCalls(cfg.CallLog)))
			mux.HandleFunc("GET /api/calls/stats", s.guard(readers, s.callStats(cfg.CallLog)))
		}
		mux.HandleFunc("POST /api/incidents/{id}/close", s.guard(dispatchers, s.closeIncident))
		mux.HandleFunc("GET /api/plans", s.guard(withAgencies, s.plans))
		mux.HandleFunc("POST /api/calls/{number}/prank", s.guard(dispatchers, s.prank))
		mux.HandleFunc("GET /api/callers", s.guard(readers, s.callers))
		mux.HandleFunc("GET /api/callers/{number}", s.guard(readers, s.caller))
		mux.HandleFunc("POST /api/callers/{number}/lift", s.guard(dispatchers, s.liftBlock))
		mux.HandleFunc("POST /api/units/{id}/status", s.guard(dispatchers, s.setUnitStatus))
		mux.HandleFunc("POST /api/units/{id}/credentials", s.guard(adminsOnly, s.rotateCredentials))
		mux.HandleFunc("GET /api/units/nearest", s.guard(readers, s.nearest))
		if iso, ok := cfg.Dispatch.(Isochrones); ok {
			mux.HandleFunc("GET /api/coverage/isochrones", s.guard(readers, s.isochrones(iso)))
		}
	}
	if cfg.Audit != nil {
		mux.HandleFunc("GET /api/audit", s.guard(adminsOnly, s.audit))
		if cfg.Dispatch != nil {
			mux.HandleFunc("GET /api/incidents/{id}/timeline", s.guard(readers, s.timeline))
		}
	}
	if cfg.Bus != nil {
		mux.HandleFunc("GET /api/live", s.guard(withAgencies, s.agencyAware(s.live, s.agencyLive)))
	}
	if cfg.Agencies != nil {
		mux.HandleFunc("GET /api/agencies", s.guard(withAgencies, s.listAgencies(cfg.Agencies)))
		mux.HandleFunc("PUT /api/agencies/{code}/contacts", s.guard(adminsOnly, s.putAgencyContacts(cfg.Agencies)))
	}
	if cfg.Compliance != nil {
		mux.HandleFunc("GET /api/agencies/compliance", s.guard(planners, s.agencyCompliance(cfg.Compliance, s.now)))
	}
	if cfg.Webhooks != nil {
		mux.HandleFunc("POST /api/webhooks", s.guard(adminsOnly, s.postWebhook(cfg.Webhooks)))
		mux.HandleFunc("GET /api/webhooks", s.guard(adminsOnly, s.listWebhooks(cfg.Webhooks)))
		mux.HandleFunc("DELETE /api/webhooks/{id}", s.guard(adminsOnly, s.deleteWebhook(cfg.Webhooks)))
		mux.HandleFunc("GET /api/webhooks/{id}/deliveries", s.guard(adminsOnly, s.webhookDeliveries(cfg.Webhooks)))
	}
	if cfg.Analytics != nil && cfg.Dispatch != nil {
		mux.HandleFunc("POST /api/history/incidents", s.guard(planners, s.importHistory))
		mux.HandleFunc("GET /api/analytics/response-times", s.guard(readers, s.responseTimes))
		mux.HandleFunc("GET /api/analytics/coverage", s.guard(readers, s.coverage))
		if cfg.Analytics.Trips != nil {
			mux.HandleFunc("GET /api/analytics/eta-accuracy", s.guard(planners, s.etaAccuracy))
		}
	}
	s.routeAPIFallback(mux.ServeMux)
	zipped, err := compress(s.tokenSignIn(s.otherMethods(newLiteralRoutes(mux.ServeMux, s.routes))))
	if err != nil {
		return nil, fmt.Errorf("gzip: %w", err)
	}
	s.httpMetrics.prepare(append(slices.Clone(s.routes), "unmatched"))
	s.handler = s.httpMetrics.measure(requestLogger(s.log, securityHeaders(contentSecurityPolicy(cfg.Tiles), zipped)))
	if cfg.Front != nil {
		s.handler = cfg.Front(s.handler)
	}
	return s, nil
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

// Close stops the live feed's hub (its clients reconnect elsewhere).
func (s *Server) Close() {
	if s.hub != nil {
		s.hub.close()
	}
}

// Listen opens the HTTP port, with a sentence naming --http when it is taken.
func Listen(addr string) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("cannot listen for HTTP on %s (%w): the port is probably taken; choose another with --http", addr, err)
	}
	return ln, nil
}

// Serve answers on ln until ctx ends, then shuts down gracefully, letting
// requests in flight finish for up to 5 s.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCert != "" {
			errc <- hs.ServeTLS(ln, s.cfg.TLSCert, s.cfg.TLSKey)
			return
		}
		errc <- hs.Serve(ln)
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := hs.Shutdown(shutCtx); err != nil {
		return fmt.Errorf("http shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

type healthBody struct {
	Status     string            `json:"status"` // "ok" or "degraded"
	Components map[string]string `json:"components,omitempty"`
	Units      map[string]int    `json:"units,omitempty"`
}

// health answers 200 when every component is healthy and 503 otherwise.
// Anonymous callers hear only ok or degraded; with credentials, a sentence
// per component (they may name hosts and users).
func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	body := healthBody{Status: "ok", Components: map[string]string{}, Units: map[string]int{}}
	detailed := s.cfg.Auth == nil
	if !detailed && (r.Header.Get("Authorization") != "" || hasCookie(r, sessionCookie)) {
		c, err := s.authenticate(r)
		detailed = err == nil && c.p.Role != tracking.RoleDevice
	}
	for name, check := range s.cfg.Checks {
		if err := check(); err != nil {
			body.Status = "degraded"
			body.Components[name] = err.Error()
		} else {
			body.Components[name] = "ok"
		}
	}
	for l, n := range s.cfg.Fleet.CountByLiveness() {
		body.Units[string(l)] = n
	}
	status := http.StatusOK
	if body.Status != "ok" {
		status = http.StatusServiceUnavailable
		w.Header().Set("Retry-After", strconv.Itoa(retrySeconds(unavailableRetry)))
	}
	if !detailed {
		body.Components, body.Units = nil, nil
	}
	writeJSON(w, status, body)
}

func hasCookie(r *http.Request, name string) bool {
	_, err := r.Cookie(name)
	return err == nil
}

var (
	descUnits         = prometheus.NewDesc("siaga112_units", "Registered units by liveness.", []string{"liveness"}, nil)
	descUnitsByStatus = prometheus.NewDesc("siaga112_units_by_status", "Registered units by status and liveness.", []string{"status", "liveness"}, nil)
)

type unitsCollector struct{ fleet Fleet }

func (c unitsCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- descUnits
	ch <- descUnitsByStatus
}

func (c unitsCollector) Collect(ch chan<- prometheus.Metric) {
	for l, n := range c.fleet.CountByLiveness() {
		ch <- prometheus.MustNewConstMetric(descUnits, prometheus.GaugeValue, float64(n), string(l))
	}
	type key struct {
		st tracking.Status
		l  tracking.Liveness
	}
	n := map[key]int{}
	for _, u := range c.fleet.List() {
		n[key{u.Status, u.Liveness}]++
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(descUnitsByStatus, prometheus.GaugeValue, float64(v), string(k.st), string(k.l))
	}
}
