package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const townPBF = "../../mapdata/basemap/testdata/town.osm.pbf"

// --osm (or SIAGA112_OSM) and --tiles choose the page's base map: with
// the extract alone the offline map, no tile server; with --tiles too,
// the tiles with the offline map behind them.
func TestOfflineBaseMapFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		tiles   string
		baseMap bool
	}{
		{"--osm alone", []string{"--osm", townPBF}, nil, "", true},
		{"SIAGA112_OSM", nil, map[string]string{"SIAGA112_OSM": townPBF}, "", true},
		{"--osm and --tiles", []string{"--osm", townPBF, "--tiles", "http://127.0.0.1:9/{z}/{x}/{y}.png"}, nil, "http://127.0.0.1:9/{z}/{x}/{y}.png", true},
		{"neither", nil, nil, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := flag.NewFlagSet("siaga112", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			cfg, err := parseConfig(fs, tt.args, func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok })
			if err != nil {
				t.Fatal(err)
			}
			c := testConfig(t)
			c.OSM, c.Tiles = cfg.OSM, cfg.Tiles
			base := startRun(t, c)
			resp, err := get(base + "/api/config")
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body struct {
				Tiles   string `json:"tiles"`
				BaseMap *struct {
					URL string `json:"url"`
				} `json:"basemap"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if body.Tiles != tt.tiles || (body.BaseMap != nil) != tt.baseMap {
				t.Errorf("tiles %q, basemap %+v; want %q, %v", body.Tiles, body.BaseMap, tt.tiles, tt.baseMap)
			}
		})
	}
}

// An extract the server cannot read stops it: exit status 1, a sentence
// naming --osm and the file, within seconds.
func TestUnreadableExtractStopsTheServer(t *testing.T) {
	dir := t.TempDir()
	garbage := filepath.Join(dir, "serang-garbage.osm.pbf")
	os.WriteFile(garbage, []byte("<osm version=\"0.6\"></osm>"), 0o644)
	unreadable := filepath.Join(dir, "serang-secret.osm.pbf")
	os.WriteFile(unreadable, []byte("x"), 0o000)
	tests := []struct {
		name, path, words string
	}{
		{"missing", filepath.Join(dir, "serang-missing.osm.pbf"), "does not exist"},
		{"not a PBF", garbage, "it is OSM XML, not a PBF"},
		{"a directory", dir, "is a directory"},
		// osmpbf would panic in its own goroutine: refused in words instead.
		{"plain nodes", "../../mapdata/basemap/testdata/plain-nodes.osm.pbf", "plain (non-dense) nodes"},
	}
	if os.Geteuid() != 0 { // root reads a file whatever its mode
		tests = append(tests, struct{ name, path, words string }{"no permission", unreadable, "permission denied"})
	}
	bin := binary(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, "--http", freeAddr(t), "--mqtt-listen", freeAddr(t), "--osmand-listen", "", "--osm", tt.path)
			cmd.Env = append(os.Environ(), "SIAGA112_ADMIN_TOKEN="+testToken)
			out, err := cmd.CombinedOutput()
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != 1 {
				t.Fatalf("exit %v, want status 1: %s", err, out)
			}
			last := strings.TrimSpace(string(out))
			last = last[strings.LastIndex(last, "\n")+1:]
			if !strings.Contains(last, "--osm") || !strings.Contains(last, tt.path) || !strings.Contains(last, tt.words) {
				t.Errorf("last line %q, want --osm, %s and %q", last, tt.path, tt.words)
			}
		})
	}
}
