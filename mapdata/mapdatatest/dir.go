// Package mapdatatest finds the official Kota Serang boundary files that sit
// beside the project (../shared/data/serang) for tests and benchmarks.
package mapdatatest

import (
	"os"
	"path/filepath"
	"testing"

	"siaga112/tracking/trackingtest"
)

// Dir returns the folder holding kelurahan.geojson and friends; when it is
// absent it skips the test with a clear message, or fails it under
// SIAGA112_REQUIRE_ALL=1 (trackingtest.Missing).
func Dir(tb testing.TB) string {
	tb.Helper()
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, "shared", "data", "serang")
		if _, err := os.Stat(filepath.Join(cand, "kelurahan.geojson")); err == nil {
			return cand
		}
		if filepath.Dir(d) == d {
			break
		}
	}
	trackingtest.Missing(tb, "official boundaries not found: no shared/data/serang/kelurahan.geojson in any parent of %s (CI has it beside the project)", wd)
	return ""
}

// File returns the path of one file of that folder.
func File(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), name)
}
