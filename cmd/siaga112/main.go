// Command siaga112 is the dispatch and unit-tracking server of Kota Serang's
// emergency number 112. Every flag has a SIAGA112_* environment equivalent
// (--mqtt-url ↔ SIAGA112_MQTT_URL); a flag given on the command line wins.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"siaga112/geo"
	"siaga112/geo/roads"
	"siaga112/tracking"
	"siaga112/tracking/deadline"
	"siaga112/tracking/httpingest"
	"siaga112/tracking/interop"
	"siaga112/tracking/mqtt"
	"siaga112/web"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "import" {
		os.Exit(importHistory(os.Args[2:], os.Stdout, os.Stderr))
	}
	cfg, err := parseConfig(flag.CommandLine, os.Args[1:], os.LookupEnv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "siaga112:", err)
		os.Exit(2)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: cfg.LogLevel}))
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg, log, os.Stdout); err != nil {
		log.Error("siaga112 stopped", "err", err)
		fmt.Fprintln(os.Stderr, "siaga112:", err)
		os.Exit(1)
	}
}

// parseConfig reads flags, then fills each flag not given from its
// SIAGA112_* environment variable.
func parseConfig(fs *flag.FlagSet, args []string, lookup func(string) (string, bool)) (config, error) {
	var c config
	host, _ := os.Hostname()
	fs.StringVar(&c.HTTP, "http", ":8080", "HTTP listen address for the API and the map")
	fs.StringVar(&c.MQTTListen, "mqtt-listen", ":1883", "listen address of the embedded MQTT broker (unused with --mqtt-url); when not given and 1883 is taken, the next free port")
	fs.StringVar(&c.MQTTTLSListen, "mqtt-tls-listen", "", "listen address of MQTT over TLS on the embedded broker, e.g. :8883 (needs --tls-cert and --tls-key)")
	fs.IntVar(&c.MQTTMaxConns, "mqtt-max-conns", mqtt.DefaultMaxConns, "most connections the embedded broker holds (also capped at half the open-file limit)")
	fs.IntVar(&c.MQTTMaxConnsPerIP, "mqtt-max-conns-per-addr", mqtt.DefaultMaxConnsPerAddr, "most connections the embedded broker holds from one IP address")
	fs.DurationVar(&c.MQTTConnectTimeout, "mqtt-connect-timeout", mqtt.DefaultConnectTimeout, "a connection that has not completed CONNECT (and TLS) by then is closed")
	fs.Float64Var(&c.MQTTRate, "mqtt-rate", mqtt.DefaultRate, "messages per second each device may publish on the embedded broker; the excess is dropped and counted (0: no limit)")
	fs.IntVar(&c.MQTTBurst, "mqtt-burst", mqtt.DefaultBurst, "burst of messages a device may send above --mqtt-rate")
	fs.StringVar(&c.OsmAndListen, "osmand-listen", ":5055", "listen address of the OsmAnd protocol (Traccar Client, OsmAnd-protocol trackers); empty: off; when not given and 5055 is taken, off with a warning")
	fs.BoolVar(&c.OsmAndKeyless, "osmand-keyless", false, "take OsmAnd requests that carry no key by their tracker id alone (anyone who knows an id can then move that unit); off: each request needs its unit's device password")
	fs.IntVar(&c.OsmAndMaxConnsPerAddr, "osmand-max-conns-per-addr", httpingest.DefaultOsmAndConnsPerAddr, "most connections the OsmAnd listener holds from one IP address (IPv6: one /64)")
	fs.StringVar(&c.MQTTURL, "mqtt-url", "", "external MQTT broker, e.g. tcp://127.0.0.1:1883; empty: embed a broker")
	fs.StringVar(&c.MQTTUsername, "mqtt-username", "", "username on the MQTT broker")
	fs.StringVar(&c.MQTTPassword, "mqtt-password", "", "password on the MQTT broker")
	fs.StringVar(&c.MQTTClientID, "mqtt-client-id", "siaga112-"+host, "MQTT client id prefix of the ingest on an external broker (a random suffix is added to each connection)")
	fs.BoolVar(&c.Demo, "demo", false, "run a simulated fleet moving around Kota Serang; it listens on 127.0.0.1 only unless --http, --mqtt-listen or --osmand-listen say otherwise")
	fs.IntVar(&c.DemoUnits, "demo-units", 40, "how many simulated units --demo runs")
	fs.DurationVar(&c.StaleAfter, "stale-after", 60*time.Second, "a unit with no fix for this long is stale")
	fs.DurationVar(&c.OfflineAfter, "offline-after", 5*time.Minute, "a unit with no fix for this long is offline")
	fs.TextVar(&c.LogLevel, "log-level", slog.LevelInfo, "log level: debug, info, warn or error")
	fs.StringVar(&c.Boundaries, "boundaries", "", "GeoJSON FeatureCollection of kelurahan polygons for another city's layer; empty: Kota Serang's embedded official polygons (exact)")
	fs.StringVar(&c.BoundaryCode, "boundary-code-prop", "code", "property of --boundaries holding the Kemendagri kelurahan code")
	fs.StringVar(&c.BoundaryName, "boundary-name-prop", "name", "property of --boundaries holding the kelurahan name")
	fs.Float64Var(&c.Travel.Detour, "detour-factor", geo.DefaultDetour, "road distance ÷ straight-line distance, for travel-time estimates")
	fs.StringVar(&c.DB, "db", "", "PostgreSQL URL (postgres://user:pass@host/db), PostGIS required; also $DATABASE_URL; empty: state in memory")
	fs.StringVar(&c.TLSCert, "tls-cert", "", "TLS certificate file (PEM); with --tls-key the server speaks HTTPS")
	fs.StringVar(&c.TLSKey, "tls-key", "", "TLS private key file (PEM)")
	fs.StringVar(&c.Tiles, "tiles", "", "base map tile URL template ({z}/{x}/{y}); empty: OpenStreetMap's tiles, or with --osm the offline map drawn from the extract (with --osm and --tiles the page falls back to it when the tiles fail)")
	fs.StringVar(&c.TilesAttribution, "tiles-attribution", web.DefaultTilesAttribution, "attribution shown for --tiles")
	fs.StringVar(&c.PSAPID, "psap-id", interop.DefaultPSAPID, "this centre's identifier in CAP (sender) and EIDO (its domain): a host name, no spaces, commas or colons")
	fs.StringVar(&c.Plans, "plans", "", "response plans file (format: tracking/dispatch/plans.conf); empty: the built-in plans")
	fs.DurationVar(&c.PrankWindow, "prank-window", 0, "count a number's prank calls over this window; 0: every prank call ever")
	fs.DurationVar(&c.DispatchTarget, "dispatch-target", web.DefaultDispatchTarget, "an incident with no unit dispatched this long after the report shows late on the dispatchers' board")
	fs.DurationVar(&c.AgencyDeadline, "agency-deadline", deadline.DefaultDeadline, "the SOP deadline of a case's lead agency (3×24 h): a warning at two thirds of it, overdue when it passes unacknowledged")
	fs.Float64Var(&c.ArrivalM, "arrival-radius", 100, "a unit within this many metres of its incident …")
	fs.DurationVar(&c.ArrivalDwell, "arrival-dwell", 15*time.Second, "… for this long is on scene")
	fs.IntVar(&c.LiveClients, "live-clients", web.DefaultLiveClients, "most clients of the live feed (/api/live) at once; one more is answered 503")
	fs.BoolVar(&c.WebhookAllowPrivate, "webhook-allow-private", false, "let webhooks target loopback, link-local and private addresses (gateways on the centre's own network); default: refused")
	fs.IntVar(&c.IncidentRate, "incident-rate", web.DefaultIncidentRate, "incidents one user or token may create per minute; more are answered 429")
	fs.IntVar(&c.CallRate, "call-rate", web.DefaultCallRate, "calls one user or token may log per minute (POST /api/calls and the prank shortcut; bursts up to that many); more are answered 429")
	fs.StringVar(&c.Geofences, "geofences", "", "GeoJSON FeatureCollection of geofences (hospitals, stations, depots: polygons, or points with radius_m)")
	fs.StringVar(&c.GeofenceRules, "geofence-rules", "", "JSON array of geofence rules (tracking/geofence/rules.go); empty: transporting→at_hospital at a hospital, returning→available at its station")
	fs.DurationVar(&c.PositionsRetention, "positions-retention", 90*24*time.Hour, "keep fixes and region events in the database this long (whole days are dropped)")
	fs.StringVar(&c.OSM, "osm", "", "OpenStreetMap PBF extract of the city (cut with osmium extract), read at start: ETAs, routes and isochrones follow its roads, place search finds its streets, POIs and crossings, the offline base map is drawn from it; empty: great-circle × detour, gazetteer and place book only, online tiles")
	roadSpeeds := fs.String("road-speeds", "", "km/h per highway class on --osm roads, over the defaults ("+roads.FormatSpeeds(roads.DefaultSpeedsKmh)+"), e.g. motorway=90,primary=55")
	fs.Float64Var(&c.OSMSnapM, "osm-snap", roads.DefaultSnapM, "a unit or incident farther than this many metres from every drivable way of --osm falls back to great-circle × detour")
	speeds := fs.String("speeds", geo.FormatSpeeds(tracking.DefaultTravel().SpeedKmh), "average speeds in km/h by unit type, for travel-time estimates")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		env := "SIAGA112_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := lookup(env); ok && !given[f.Name] && err == nil {
			if e := fs.Set(f.Name, v); e != nil {
				err = fmt.Errorf("environment variable %s=%q is not a valid --%s: %v", env, v, f.Name, e)
			}
		}
	})
	if err != nil {
		return c, err
	}
	c.MQTTListenDefault, c.OsmAndListenDefault = true, true
	given = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { // after the environment: SIAGA112_MQTT_LISTEN counts as given
		given[f.Name] = true
		switch f.Name {
		case "mqtt-listen":
			c.MQTTListenDefault = false
		case "osmand-listen":
			c.OsmAndListenDefault = false
		}
	})
	if c.Demo {
		demoOnLoopback(&c, given)
	}
	if v, ok := lookup("DATABASE_URL"); ok && c.DB == "" {
		c.DB = v
	}
	c.AdminToken, _ = lookup("SIAGA112_ADMIN_TOKEN")
	if (c.TLSCert == "") != (c.TLSKey == "") {
		return c, fmt.Errorf("--tls-cert and --tls-key go together")
	}
	if c.MQTTTLSListen != "" && c.TLSCert == "" {
		return c, fmt.Errorf("--mqtt-tls-listen needs --tls-cert and --tls-key")
	}
	if err := interop.ValidatePSAPID(c.PSAPID); err != nil {
		return c, fmt.Errorf("--psap-id: %v", err)
	}
	c.Travel.SpeedKmh = tracking.DefaultTravel().SpeedKmh
	speedFlags, err := geo.ParseSpeeds(*speeds)
	if err != nil {
		return c, fmt.Errorf("--speeds: %v", err)
	}
	for k, v := range speedFlags {
		if _, err := tracking.ParseUnitType(k); err != nil {
			return c, fmt.Errorf("--speeds: %v", err)
		}
		c.Travel.SpeedKmh[k] = v
	}
	if *roadSpeeds != "" {
		if c.RoadSpeeds, err = roads.ParseSpeeds(*roadSpeeds); err != nil {
			return c, fmt.Errorf("--road-speeds: %v", err)
		}
	}
	if !(c.OSMSnapM >= 10 && c.OSMSnapM <= 5000) {
		return c, fmt.Errorf("--osm-snap must be 10 to 5000 m, not %g", c.OSMSnapM)
	}
	if err := c.Travel.Validate(); err != nil {
		return c, fmt.Errorf("--detour-factor/--speeds: %v", err)
	}
	switch {
	case c.DemoUnits < 1 || c.DemoUnits > 10000:
		return c, fmt.Errorf("--demo-units must be between 1 and 10000, not %d", c.DemoUnits)
	case c.MQTTMaxConns < 1 || c.MQTTMaxConnsPerIP < 1 || c.MQTTConnectTimeout < 100*time.Millisecond:
		return c, fmt.Errorf("--mqtt-max-conns and --mqtt-max-conns-per-addr must be at least 1, --mqtt-connect-timeout at least 100ms")
	case c.MQTTRate < 0 || (c.MQTTRate > 0 && c.MQTTBurst < 1):
		return c, fmt.Errorf("--mqtt-rate must not be negative, and --mqtt-burst must be at least 1")
	case deadline.ValidateDeadline(c.AgencyDeadline) != nil:
		return c, deadline.ValidateDeadline(c.AgencyDeadline)
	case c.PrankWindow < 0:
		return c, fmt.Errorf("--prank-window must not be negative")
	case c.DispatchTarget < time.Second || c.DispatchTarget > time.Hour:
		return c, fmt.Errorf("--dispatch-target must be between 1s and 1h, not %v", c.DispatchTarget)
	case c.ArrivalM < 10 || c.ArrivalM > 5000 || c.ArrivalDwell < time.Second:
		return c, fmt.Errorf("--arrival-radius must be 10 to 5000 m and --arrival-dwell at least 1s")
	case c.StaleAfter <= 0 || c.OfflineAfter < c.StaleAfter:
		return c, fmt.Errorf("--stale-after (%v) must be positive and not longer than --offline-after (%v)", c.StaleAfter, c.OfflineAfter)
	}
	return c, nil
}

// demoOnLoopback keeps a demo on this machine: it prints the admin token
// and its fleet is fake, so each listener whose address was not given
// (flag or environment) binds 127.0.0.1; the server says at start how to
// open it to the network.
func demoOnLoopback(c *config, given map[string]bool) {
	for name, addr := range map[string]*string{"http": &c.HTTP, "mqtt-listen": &c.MQTTListen, "osmand-listen": &c.OsmAndListen} {
		if !given[name] && strings.HasPrefix(*addr, ":") {
			*addr = "127.0.0.1" + *addr
		}
	}
}
