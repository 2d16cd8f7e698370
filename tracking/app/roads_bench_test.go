package app_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/paulmach/orb"

	"siaga112/geo/roads/roadstest"
	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/trackingtest"
)

// gridUnits are the benchmark fleet's places: n ambulances spread over the
// grid town (seeded, so every run and every peer gets the same).
func gridUnits(n int) []orb.Point {
	rng := rand.New(rand.NewPCG(112, 24))
	b := roadstest.GridBound
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{b.Min[0] + 0.01 + rng.Float64()*(b.Max[0]-b.Min[0]-0.02), b.Min[1] + 0.01 + rng.Float64()*(b.Max[1]-b.Min[1]-0.02)}
	}
	return out
}

// gridQueries are incident places, seeded likewise.
func gridQueries(n int) []orb.Point {
	rng := rand.New(rand.NewPCG(24, 112))
	b := roadstest.GridBound
	out := make([]orb.Point, n)
	for i := range out {
		out[i] = orb.Point{b.Min[0] + 0.02 + rng.Float64()*(b.Max[0]-b.Min[0]-0.04), b.Min[1] + 0.02 + rng.Float64()*(b.Max[1]-b.Min[1]-0.04)}
	}
	return out
}

// roadsApp builds the server as cmd does, with --osm when osm is set, and
// places the fleet (no broker: fixes go straight to the units service).
func roadsApp(b *testing.B, osm string, fleet []orb.Point) *app.App {
	b.Helper()
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, AdminToken: "bench", OpenAPI: true, OSM: osm, OsmAndListen: ""}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(a.Close)
	now := time.Now()
	for i, p := range fleet {
		id := fmt.Sprintf("AMB-%03d", i)
		a.Units.Register(context.Background(), tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "bench")
		if _, err := a.Units.ApplyFix(id, tracking.Position{Lon: p[0], Lat: p[1], At: now, Battery: -1}); err != nil {
			b.Fatal(err)
		}
	}
	return a
}

// BenchmarkNearestRoads: GET /api/units/nearest?type=ambulance&limit=5 with
// 200 ambulances on the generated grid (~25,600 nodes, ~95,000 directed
// edges), over one keep-alive connection after a warm-up, with --osm and
// without it in the same run, and pgRouting answering the same question
// ("the 5 ambulances with the least driving time to this point":
// pgr_dijkstraNearCost with cap 5 on the reversed graph, one persistent
// connection) when DATABASE_TEST_URL and osm2pgrouting are there. Each
// reports its p50 and p99; a line printed after them gives the ratios.
func BenchmarkNearestRoads(b *testing.B) {
	pbf, xml := roadstest.Grid(b)
	fleet, queries := gridUnits(200), gridQueries(1024)
	paths := make([]string, len(queries))
	for i, q := range queries {
		paths[i] = fmt.Sprintf("/api/units/nearest?lat=%.6f&lon=%.6f&type=ambulance&limit=5", q[1], q[0])
	}
	p50 := map[string]time.Duration{}
	for _, mode := range []string{"osm", "detour"} {
		b.Run(mode, func(b *testing.B) {
			osm := ""
			if mode == "osm" {
				osm = pbf
			}
			srv := httptest.NewServer(roadsApp(b, osm, fleet).Web)
			defer srv.Close()
			p50[mode] = roundTrips(b, srv.URL, paths)
		})
	}
	b.Run("pgrouting", func(b *testing.B) { p50["pgrouting"] = pgRoutingNearest(b, xml, fleet, queries) })
	if p50["osm"] > 0 && p50["detour"] > 0 {
		fmt.Printf("nearest p50 with --osm %v, without %v: %.1f×\n", p50["osm"], p50["detour"], float64(p50["osm"])/float64(p50["detour"]))
	}
	if p50["osm"] > 0 && p50["pgrouting"] > 0 {
		fmt.Printf("nearest p50 pgRouting %v, siaga112 --osm %v: siaga112 %.0f× faster\n", p50["pgrouting"], p50["osm"], float64(p50["pgrouting"])/float64(p50["osm"]))
	}
}

// roundTrips sends the paths in turn over one keep-alive TCP connection,
// reading each answer before the next, after a warm-up of 200, and
// reports the p50 and p99 (µs). It returns the p50.
func roundTrips(b *testing.B, base string, paths []string) time.Duration {
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close()
	br := bufio.NewReader(conn)
	one := func(i int) time.Duration {
		start := time.Now()
		if _, err := conn.Write([]byte("GET " + paths[i%len(paths)] + " HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
			b.Fatal(err)
		}
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatal(resp.Status)
		}
		return time.Since(start)
	}
	for i := range 200 {
		one(i)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		lat = append(lat, one(i))
		i++
	}
	return report(b, lat)
}

func report(b *testing.B, lat []time.Duration) time.Duration {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds()), "p50-µs")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds()), "p99-µs")
	return lat[len(lat)/2]
}

// pgRoutingNearest loads the grid with osm2pgrouting into a schema of its
// own and asks pgr_dijkstraNearCost for the 5 ambulances nearest by
// driving time, the units snapped to their nearest vertex beforehand (as
// siaga112 snaps them when their fix arrives).
func pgRoutingNearest(b *testing.B, xml string, fleet, queries []orb.Point) time.Duration {
	base := trackingtest.Env(b, "DATABASE_TEST_URL", "a PostGIS database with pgRouting, the peer compared")
	// The peer is a comparison, not a check, and .ci/run does not install
	// its loader: without it the figure is siaga112's alone.
	if _, err := exec.LookPath("osm2pgrouting"); err != nil {
		b.Skip("osm2pgrouting (Debian osm2pgrouting) is not installed: no pgRouting peer")
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS pgrouting"); err != nil {
		b.Skipf("no pgRouting in the database: %v", err)
	}
	schema := fmt.Sprintf("roadsbench_%d", time.Now().UnixNano())
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	defer conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE")
	u, _ := url.Parse(base)
	pass, _ := u.User.Password()
	args := []string{"-f", xml, "-c", "/usr/share/osm2pgrouting/mapconfig_for_cars.xml", "--schema", schema, "--clean",
		"-d", strings.TrimPrefix(u.Path, "/"), "-U", u.User.Username(), "-W", pass, "-h", u.Hostname()}
	if u.Port() != "" {
		args = append(args, "-p", u.Port())
	}
	if out, err := exec.Command("osm2pgrouting", args...).CombinedOutput(); err != nil {
		b.Fatalf("osm2pgrouting: %v\n%s", err, out)
	}
	vertex := func(p orb.Point) int64 {
		var id int64
		if err := conn.QueryRow(ctx, "SELECT id FROM "+schema+".ways_vertices_pgr ORDER BY the_geom <-> ST_SetSRID(ST_Point($1, $2), 4326) LIMIT 1", p[0], p[1]).Scan(&id); err != nil {
			b.Fatal(err)
		}
		return id
	}
	units := make([]int64, len(fleet))
	for i, p := range fleet {
		units[i] = vertex(p)
	}
	// Reversed graph: the search runs from the incident to the units.
	q := "SELECT end_vid, agg_cost FROM pgr_dijkstraNearCost(" +
		"'SELECT gid AS id, target AS source, source AS target, cost_s AS cost, reverse_cost_s AS reverse_cost FROM " + schema + ".ways', " +
		"(SELECT id FROM " + schema + ".ways_vertices_pgr ORDER BY the_geom <-> ST_SetSRID(ST_Point($1, $2), 4326) LIMIT 1), " +
		"$3::bigint[], directed => true, cap => 5)"
	one := func(i int) time.Duration {
		p := queries[i%len(queries)]
		start := time.Now()
		rows, err := conn.Query(ctx, q, p[0], p[1], units)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for rows.Next() {
			n++
		}
		if rows.Err() != nil || n == 0 {
			b.Fatalf("pgRouting answered %d rows: %v", n, rows.Err())
		}
		return time.Since(start)
	}
	for i := range 20 {
		one(i)
	}
	var lat []time.Duration
	i := 0
	for b.Loop() {
		lat = append(lat, one(i))
		i++
	}
	return report(b, lat)
}

// BenchmarkIsochronesHTTP: GET /api/coverage/isochrones for 3, 6 and 10
// minutes with 50 ambulances on the grid, with --osm and without it.
func BenchmarkIsochronesHTTP(b *testing.B) {
	pbf, _ := roadstest.Grid(b)
	fleet := gridUnits(50)
	for _, mode := range []string{"osm", "detour"} {
		b.Run(mode, func(b *testing.B) {
			osm := ""
			if mode == "osm" {
				osm = pbf
			}
			srv := httptest.NewServer(roadsApp(b, osm, fleet).Web)
			defer srv.Close()
			var size int64
			for b.Loop() {
				resp, err := http.Get(srv.URL + "/api/coverage/isochrones?type=ambulance&minutes=3,6,10")
				if err != nil {
					b.Fatal(err)
				}
				size, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatal(resp.Status)
				}
			}
			b.ReportMetric(float64(size)/(1<<10), "KiB")
		})
	}
}
