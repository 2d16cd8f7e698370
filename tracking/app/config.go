package app

import (
	"log/slog"
	"time"

	"siaga112/geo"
	"siaga112/tracking/accounts"
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
	PSAPID             string        // this centre in CAP and EIDO (--psap-id; default interop.DefaultPSAPID)
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
	DispatchTarget     time.Duration    // first unit due this long after the report (--dispatch-target; default 2m)
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
