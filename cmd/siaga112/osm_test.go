package main

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// --osm and SIAGA112_OSM name the extract; a file that is no PBF stops the
// start with a sentence naming the flag.
func TestOSMFlag(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"default", nil, nil, ""},
		{"flag", []string{"--osm", "serang.osm.pbf"}, nil, "serang.osm.pbf"},
		{"environment", nil, map[string]string{"SIAGA112_OSM": "/data/serang.osm.pbf"}, "/data/serang.osm.pbf"},
		{"the flag wins", []string{"--osm", "a.pbf"}, map[string]string{"SIAGA112_OSM": "b.pbf"}, "a.pbf"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fs := flag.NewFlagSet("siaga112", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c, err := parseConfig(fs, tc.args, func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			if err != nil || c.OSM != tc.want {
				t.Fatalf("OSM %q (%v), want %q", c.OSM, err, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, content, want string }{
		{"missing", "", "does not exist"},
		{"not a PBF", "<osm></osm>", "--osm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x.osm.pbf")
			if tc.content != "" {
				os.WriteFile(path, []byte(tc.content), 0o644)
			}
			cfg := testConfig(t)
			cfg.OSM = path
			err := run(context.Background(), cfg, slog.New(slog.DiscardHandler), io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "--osm") {
				t.Fatalf("started with %s: %v", tc.name, err)
			}
		})
	}
}
