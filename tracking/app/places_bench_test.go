package app_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/trackingtest"
)

// townXML writes an OSM XML town of n named things around Kota Serang:
// streets on a grid (Jalan <word> <word>, crossing Gang <word>) and POIs.
func townXML(t testing.TB, path string, n int) []string {
	r := rand.New(rand.NewPCG(7, 8))
	syl := strings.Fields("ba be bi bo bu ca ci co cu da di du ga gi gu ja ji jo ka ke ki ko ku la li lo lu ma me mi mo mu na ni no nu pa pe pi po pu ra ri ro ru sa se si so su ta te ti to tu wa wi ya yu")
	word := func() string {
		var b strings.Builder
		for range 2 + r.IntN(3) {
			b.WriteString(syl[r.IntN(len(syl))])
		}
		s := b.String()
		return strings.ToUpper(s[:1]) + s[1:]
	}
	var b strings.Builder
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n<osm version=\"0.6\">\n")
	side := 1
	for side*side < n/2 {
		side++
	}
	node := func(i, j int) int { return i*side + j + 1 }
	for i := range side {
		for j := range side {
			fmt.Fprintf(&b, "<node id=\"%d\" version=\"1\" lat=\"%.6f\" lon=\"%.6f\"/>\n", node(i, j), -6.19+0.12*float64(i)/float64(side), 106.10+0.14*float64(j)/float64(side))
		}
	}
	var names []string
	pois := n - n/2
	for k := range pois {
		name := []string{"Toko", "Warung", "Masjid", "Apotek", "Klinik", "Sekolah"}[k%6] + " " + word()
		fmt.Fprintf(&b, "<node id=\"%d\" version=\"1\" lat=\"%.6f\" lon=\"%.6f\"><tag k=\"amenity\" v=\"shop\"/><tag k=\"name\" v=\"%s\"/></node>\n",
			10_000_000+k, -6.19+0.12*r.Float64(), 106.10+0.14*r.Float64(), name)
		names = append(names, name)
	}
	for k := range n / 2 {
		i, j := k%side, (k/side)%side
		var refs []int
		name := "Jalan " + word() + " " + word()
		if k%2 == 1 {
			name = "Gang " + word()
			for m := max(0, i-1); m <= min(side-1, i+1); m++ {
				refs = append(refs, node(m, j))
			}
		} else {
			for m := j; m <= min(side-1, j+1); m++ {
				refs = append(refs, node(i, m))
			}
		}
		if len(refs) < 2 {
			continue
		}
		fmt.Fprintf(&b, "<way id=\"%d\" version=\"1\">", k+1)
		for _, ref := range refs {
			fmt.Fprintf(&b, "<nd ref=\"%d\"/>", ref)
		}
		fmt.Fprintf(&b, "<tag k=\"highway\" v=\"residential\"/><tag k=\"name\" v=\"%s\"/></way>\n", name)
		names = append(names, name)
	}
	b.WriteString("</osm>\n")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return names
}

// BenchmarkPlacesHTTP: 500 typeahead queries (2 letters up to whole names,
// half with a bias, limit=5) in sequence on one keep-alive connection to a
// server that loaded a 40,000-name extract, beside 500 nearest-unit
// queries on the same server; p50 and p99 of each.
func BenchmarkPlacesHTTP(b *testing.B) {
	osmium := trackingtest.Tool(b, "osmium", "osmium-tool") // makes the extract
	dir := b.TempDir()
	names := townXML(b, filepath.Join(dir, "town.osm"), 40_000)
	pbf := filepath.Join(dir, "town.osm.pbf")
	if out, err := exec.Command(osmium, "cat", "-O", "-o", pbf, filepath.Join(dir, "town.osm")).CombinedOutput(); err != nil {
		b.Fatalf("osmium: %v %s", err, out)
	}
	ctx := context.Background()
	a, err := app.New(ctx, app.Config{NoMQTT: true, OpenAPI: true, OSM: pbf}, slog.New(slog.DiscardHandler))
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	ts := httptest.NewServer(a.Web)
	defer ts.Close()
	r := rand.New(rand.NewPCG(9, 10))
	for i := range 200 {
		id := fmt.Sprintf("AMB-%03d", i)
		if _, _, err := a.Units.Register(ctx, tracking.Registration{ID: id, Type: tracking.Ambulance, Agency: "dinkes"}, "bench"); err != nil {
			b.Fatal(err)
		}
		if _, err := a.Units.ApplyFix(id, tracking.Position{Lat: -6.19 + 0.12*r.Float64(), Lon: 106.10 + 0.14*r.Float64(), At: time.Now(), Battery: -1}); err != nil {
			b.Fatal(err)
		}
	}
	places := make([]string, 500)
	nearest := make([]string, 500)
	for i := range places {
		name := names[r.IntN(len(names))]
		q := url.Values{"q": {name[:2+r.IntN(len(name)-1)]}, "limit": {"5"}}
		lat, lon := -6.19+0.12*r.Float64(), 106.10+0.14*r.Float64()
		if i%2 == 1 {
			q.Set("lat", fmt.Sprintf("%.6f", lat))
			q.Set("lon", fmt.Sprintf("%.6f", lon))
		}
		places[i] = "/api/places?" + q.Encode()
		nearest[i] = fmt.Sprintf("/api/units/nearest?lat=%.6f&lon=%.6f&type=ambulance&limit=5", lat, lon)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1, MaxConnsPerHost: 1}}
	run := func(paths []string) []time.Duration {
		lat := make([]time.Duration, 0, len(paths))
		for _, p := range paths {
			start := time.Now()
			resp, err := client.Get(ts.URL + p)
			if err != nil {
				b.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("%s: %s", p, resp.Status)
			}
			lat = append(lat, time.Since(start))
		}
		return lat
	}
	var pl, nl []time.Duration
	for b.Loop() {
		pl = append(pl, run(places)...)
		nl = append(nl, run(nearest)...)
	}
	pct := func(ds []time.Duration, p float64) float64 {
		slices.Sort(ds)
		return float64(ds[int(p*float64(len(ds)-1))].Microseconds()) / 1000
	}
	b.ReportMetric(pct(pl, 0.5), "places-p50-ms")
	b.ReportMetric(pct(pl, 0.99), "places-p99-ms")
	b.ReportMetric(pct(nl, 0.5), "nearest-p50-ms")
	b.ReportMetric(pct(nl, 0.99), "nearest-p99-ms")
}
