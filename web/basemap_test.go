package web

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/paulmach/orb"
	"github.com/paulmach/orb/encoding/mvt"
	"github.com/paulmach/orb/maptile"

	"siaga112/mapdata/basemap"
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// baseMapServer is an open server (no accounts) with the test town's
// offline map and the given tiles.
func baseMapServer(t *testing.T, tiles string) (*httptest.Server, *basemap.Map) {
	t.Helper()
	m, err := basemap.Load(context.Background(), "../mapdata/basemap/testdata/town.osm.pbf",
		basemap.Options{Keep: orb.Bound{Min: orb.Point{106.05, -6.25}, Max: orb.Point{106.30, -5.95}}})
	if err != nil {
		t.Fatal(err)
	}
	s, err := New(Config{Fleet: indexOnly{fleet.New(fleet.Config{})}, BaseMap: m, Tiles: tiles})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	t.Cleanup(ts.Close)
	return ts, m
}

// townTile is the zoom-16 tile over the town's middle; townTileAt, at z.
func townTile() string { return townTileAt(16) }

func townTileAt(z int) string {
	t := maptile.At(orb.Point{106.149, -6.121}, maptile.Zoom(z))
	return fmt.Sprintf("/basemap/%d/%d/%d.pbf", z, t.X, t.Y)
}

func TestBaseMapTiles(t *testing.T) {
	ts, m := baseMapServer(t, "")
	tests := []struct {
		name   string
		path   string
		gzip   bool
		status int
		want   string // an error's words, or a layer the tile holds ("" : empty tile)
	}{
		{"a town tile", townTile(), false, 200, "road"},
		{"a town tile, gzipped", townTile(), true, 200, "road"},
		{"outside the extract: an empty tile", "/basemap/16/0/0.pbf", true, 200, ""},
		{"zoom 5: the motorway and the trunk", townTileAt(5), false, 200, "road"},
		{"zoom 0: nothing this small", "/basemap/0/0/0.pbf", false, 200, ""},
		{"zoom 20, the last tile", "/basemap/20/1048575/1048575.pbf", false, 200, ""},
		{"zoom 21", "/basemap/21/0/0.pbf", false, 400, "zoom 21 is outside 0…20"},
		{"x past the edge", "/basemap/3/8/0.pbf", false, 400, "x and y run from 0 to 7"},
		{"y past the edge", "/basemap/3/0/8.pbf", false, 400, "x and y run from 0 to 7"},
		{"negative x", "/basemap/3/-1/0.pbf", false, 400, "does not exist"},
		{"negative zoom", "/basemap/-1/0/0.pbf", false, 400, "zoom -1 is outside"},
		{"not a number", "/basemap/3/a/0.pbf", false, 400, `whole numbers, not "a"`},
		{"a sign", "/basemap/3/+1/0.pbf", false, 400, `not "+1"`},
		{"huge", "/basemap/3/1/99999999999999999999999.pbf", false, 400, "whole numbers"},
		{"another format", "/basemap/3/1/1.png", false, 400, "does not end in .pbf"},
		{"no format", "/basemap/3/1/1", false, 400, "does not end in .pbf"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", ts.URL+tt.path, nil)
			if tt.gzip {
				req.Header.Set("Accept-Encoding", "gzip")
			} else {
				req.Header.Set("Accept-Encoding", "identity")
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status != 200 {
				var e struct{ Error string }
				if json.Unmarshal(body, &e) != nil || !strings.Contains(e.Error, tt.want) {
					t.Errorf("%s, want an error with %q", body, tt.want)
				}
				if resp.Header.Get("Cache-Control") == baseMapMaxAge {
					t.Error("an error is cacheable for an hour")
				}
				return
			}
			if ct := resp.Header.Get("Content-Type"); ct != "application/vnd.mapbox-vector-tile" {
				t.Errorf("Content-Type %q", ct)
			}
			if resp.Header.Get("Etag") != m.ETag() || resp.Header.Get("Cache-Control") != baseMapMaxAge || resp.Header.Get("Vary") != "Accept-Encoding" {
				t.Errorf("validators: Etag %q Cache-Control %q Vary %q", resp.Header.Get("Etag"), resp.Header.Get("Cache-Control"), resp.Header.Get("Vary"))
			}
			gz := resp.Header.Get("Content-Encoding") == "gzip"
			if gz != (tt.gzip && len(body) > 0) {
				t.Errorf("Content-Encoding %q for a client that takes gzip: %v", resp.Header.Get("Content-Encoding"), tt.gzip)
			}
			if gz {
				zr, err := gzip.NewReader(bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				if body, err = io.ReadAll(zr); err != nil {
					t.Fatal(err)
				}
			}
			layers, err := mvt.Unmarshal(body)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want == "" {
				if len(body) != 0 {
					t.Errorf("%d bytes, %d layers; want an empty tile", len(body), len(layers))
				}
				return
			}
			found := false
			for _, l := range layers {
				found = found || (l.Name == tt.want && len(l.Features) > 0)
			}
			if !found {
				t.Errorf("no %s in the tile", tt.want)
			}
		})
	}
}

// The rest of /basemap/ answers in JSON sentences, like the API.
func TestBaseMapOtherPaths(t *testing.T) {
	ts, _ := baseMapServer(t, "")
	tests := []struct {
		name, method, path string
		status             int
		allow, words       string
	}{
		{"POST a tile", "POST", townTile(), 405, "GET, HEAD", "is not allowed; use GET, HEAD"},
		{"DELETE a tile", "DELETE", townTile(), 405, "GET, HEAD", "is not allowed"},
		{"a missing row", "GET", "/basemap/16/52091", 404, "", "tiles are /basemap/{z}/{x}/{y}.pbf"},
		{"too deep", "GET", "/basemap/16/1/2/3.pbf", 404, "", "no base map tile"},
		{"the folder", "GET", "/basemap/", 404, "", "no base map tile"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, ts.URL+tt.path, "", "", nil, nil)
			var e struct{ Error string }
			if resp.StatusCode != tt.status || json.Unmarshal([]byte(body), &e) != nil || !strings.Contains(e.Error, tt.words) || resp.Header.Get("Allow") != tt.allow {
				t.Errorf("%d Allow=%q %s, want %d Allow=%q with %q", resp.StatusCode, resp.Header.Get("Allow"), body, tt.status, tt.allow, tt.words)
			}
		})
	}
}

// A tile the browser holds is revalidated with its ETag: 304, no body.
func TestBaseMapRevalidation(t *testing.T) {
	ts, m := baseMapServer(t, "")
	for _, inm := range []string{m.ETag(), strings.TrimPrefix(m.ETag(), "W/"), `"other", ` + m.ETag(), "*"} {
		req, _ := http.NewRequest("GET", ts.URL+townTile(), nil)
		req.Header.Set("If-None-Match", inm)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 304 || len(body) != 0 {
			t.Errorf("If-None-Match %s: %d with %d bytes, want 304", inm, resp.StatusCode, len(body))
		}
	}
	req, _ := http.NewRequest("GET", ts.URL+townTile(), nil)
	req.Header.Set("If-None-Match", `W/"bm0-an-older-extract"`)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("another extract's tag: %d, want 200", resp.StatusCode)
	}
}

func TestConfigNamesTheBaseMap(t *testing.T) {
	type config struct {
		Tiles   string         `json:"tiles"`
		BaseMap *baseMapConfig `json:"basemap"`
	}
	get := func(ts *httptest.Server) config {
		t.Helper()
		status, body := do(t, "GET", ts.URL+"/api/config", "")
		var c config
		if status != 200 || json.Unmarshal(body, &c) != nil {
			t.Fatalf("%d %s", status, body)
		}
		return c
	}
	offline, _ := baseMapServer(t, "")
	withTiles, _ := baseMapServer(t, "https://tiles.example.org/{z}/{x}/{y}.png")
	plain, _ := newTestServer(t, nil)
	want := &baseMapConfig{URL: "/basemap/{z}/{x}/{y}.pbf", Format: "mvt", Attribution: BaseMapAttribution}
	tests := []struct {
		name    string
		ts      *httptest.Server
		tiles   string
		baseMap *baseMapConfig
	}{
		{"--osm alone: the offline map, no tiles", offline, "", want},
		{"--osm and --tiles: tiles, the offline map behind them", withTiles, "https://tiles.example.org/{z}/{x}/{y}.png", want},
		{"neither: OpenStreetMap's tiles", plain, DefaultTiles, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := get(tt.ts)
			if c.Tiles != tt.tiles || (c.BaseMap == nil) != (tt.baseMap == nil) || (c.BaseMap != nil && *c.BaseMap != *tt.baseMap) {
				t.Errorf("tiles %q basemap %+v, want %q %+v", c.Tiles, c.BaseMap, tt.tiles, tt.baseMap)
			}
		})
	}
}

// Without --osm the route answers 404 in words; without credentials 401.
func TestBaseMapWithoutExtract(t *testing.T) {
	s, _ := fullStack(t)
	resp, body := send(t, "GET", s.url+townTile(), "", adminToken, nil, nil)
	if resp.StatusCode != 404 || !strings.Contains(body, "started without --osm") {
		t.Errorf("%d %s, want 404 naming --osm", resp.StatusCode, body)
	}
	resp, body = send(t, "GET", s.url+townTile(), "", "", nil, nil)
	if resp.StatusCode != 401 {
		t.Errorf("no credentials: %d %s, want 401", resp.StatusCode, body)
	}
}

// FuzzTilePath: whatever a client puts in a tile's path, parsing ends in a
// tile of the pyramid or a 400 sentence, never a panic.
func FuzzTilePath(f *testing.F) {
	for _, s := range [][3]string{{"16", "52091", "33884.pbf"}, {"21", "0", "0.pbf"}, {"3", "-1", "0.pbf"}, {"0", "0", ".pbf"}, {"1", "1", "1"}} {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, z, x, y string) {
		zz, xx, yy, err := parseTilePath(z, x, y)
		if err == nil {
			if basemap.CheckTile(zz, xx, yy) != nil {
				t.Fatalf("%q/%q/%q parsed to %d/%d/%d, not a tile", z, x, y, zz, xx, yy)
			}
		} else if tracking.CodeOf(err) != tracking.CodeInvalid {
			t.Fatalf("%q/%q/%q: %v is not a 400", z, x, y, err)
		}
	})
}
