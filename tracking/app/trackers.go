package app

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/httpingest"
	"siaga112/tracking/internal/connlimit"
	"siaga112/tracking/units"
)

// startHTTPTrackers builds the HTTP tracker ingest: OwnTracks HTTP mode at
// POST /pub on the web port, and the OsmAnd protocol (Traccar Client,
// hardware trackers) on a listener of its own. It returns what goes in
// front of the web handler. None of it waits for the database: the units
// service answers from memory.
func (a *App) startHTTPTrackers(reg *prometheus.Registry) (func(http.Handler) http.Handler, error) {
	in := httpingest.New(httpingest.Config{
		Devices: a.Units, Secrets: a.Units, Trackers: trackerIDs{a.Units}, Fleet: trackerFleet{a.Units},
		Logger: a.log.With("component", "http-ingest"), Now: a.cfg.Now, Keyless: a.cfg.OsmAndKeyless,
	})
	reg.MustRegister(in)
	if addr := a.cfg.OsmAndListen; addr != "" {
		maxConns := connlimit.Cap(httpingest.MaxOsmAndConns, connlimit.FileLimit(), connlimit.OsmAnd)
		ln, err := httpingest.ListenOsmAnd(addr, maxConns, a.cfg.OsmAndMaxConnsPerAddr, a.log.With("component", "http-ingest"))
		switch {
		case err != nil && a.cfg.OsmAndListenDefault:
			// The README's first command must work on a box where Traccar
			// already holds 5055: go on without the OsmAnd listener.
			a.log.Warn("OsmAnd port taken: the OsmAnd/Traccar Client listener is off; choose a port with --osmand-listen", "addr", addr, "err", err)
		case err != nil:
			return nil, errors.New("--osmand-listen " + addr + ": " + err.Error() + " (the port is probably taken; choose another, or --osmand-listen '' to turn it off)")
		default:
			reg.MustRegister(ln)
			srv := httpingest.NewOsmAndServer(addr, in.OsmAnd())
			srv.ErrorLog = slog.NewLogLogger(a.log.Handler(), slog.LevelWarn)
			a.OsmAndAddr = ln.Addr().String()
			go func() {
				if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
					a.log.Error("OsmAnd listener stopped", "err", err)
				}
			}()
			a.onClose(func() {
				ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
				defer cancel()
				_ = srv.Shutdown(ctx)
			})
			a.log.Info("OsmAnd protocol listening (Traccar Client, OsmAnd-protocol trackers); each request needs its unit's device password (key= or Basic auth)",
				"addr", a.OsmAndAddr, "max_conns", ln.Max(), "max_conns_per_addr", ln.PerAddr())
			if a.cfg.OsmAndKeyless {
				a.log.Warn("--osmand-keyless: OsmAnd requests without a key are taken by their tracker id alone; anyone who knows or guesses an id can move that unit",
					"addr", a.OsmAndAddr)
			}
		}
	}
	pub, osmand := in.OwnTracks(), a.OsmAndAddr
	return func(next http.Handler) http.Handler {
		misdirected := httpingest.Misdirected(osmandPort(osmand), next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/pub" { // OwnTracks HTTP mode: Basic auth as the unit, not the API's sessions
				pub.ServeHTTP(w, r)
				return
			}
			misdirected.ServeHTTP(w, r)
		})
	}, nil
}

// osmandPort is ":port" of the OsmAnd listener, "" when it is off.
func osmandPort(addr string) string {
	if addr == "" {
		return ""
	}
	if _, p, err := net.SplitHostPort(addr); err == nil {
		return ":" + p
	}
	return addr
}

// trackerIDs resolves OsmAnd tracker ids only to units that may sign in:
// a disabled unit's tracker id is refused like an unknown one.
type trackerIDs struct{ *units.Service }

func (t trackerIDs) UnitByTrackerID(id string) (string, bool) {
	u, ok := t.Service.UnitByTrackerID(id)
	return u, ok && t.MayAuthenticate(u)
}

// trackerFleet is the units service as the HTTP ingest sees it.
type trackerFleet struct{ *units.Service }

func (f trackerFleet) ApplyFix(unitID string, fix tracking.Fix) error {
	_, err := f.Service.ApplyFix(unitID, fix.Position())
	return err
}
