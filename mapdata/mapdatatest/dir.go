// Package mapdatatest finds the official Kota Serang boundary files for
// tests and benchmarks: the copy beside the project (../shared/data/serang)
// where there is one, else the repository's own copy of the same files
// (mapdata/serang/source, byte for byte; TestSourceIsOfficial checks it).
package mapdatatest

import (
	"os"
	"path/filepath"
	"testing"

	"siaga112/tracking/trackingtest"
)

// Dir returns the folder holding kelurahan.geojson and friends. Both copies
// missing (a tree without mapdata/serang/source) skips the test saying so,
// or fails it under SIAGA112_REQUIRE_ALL=1 (trackingtest.Missing).
func Dir(tb testing.TB) string {
	tb.Helper()
	if d, ok := find(tb, filepath.Join("shared", "data", "serang")); ok {
		return d
	}
	if d, ok := find(tb, filepath.Join("mapdata", "serang", "source")); ok {
		return d
	}
	trackingtest.Missing(tb, "official boundaries not found: no shared/data/serang/kelurahan.geojson nor mapdata/serang/source/kelurahan.geojson in any parent of the test's folder")
	return ""
}

// Official returns the folder beside the project (../shared/data/serang),
// the upstream the repository's copy is checked against, or "" when there is
// none (a clone on its own: the copy is then what the tests use).
func Official(tb testing.TB) string {
	tb.Helper()
	d, _ := find(tb, filepath.Join("shared", "data", "serang"))
	return d
}

// find looks for rel/kelurahan.geojson in the working folder and its parents.
func find(tb testing.TB, rel string) (string, bool) {
	wd, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for d := wd; ; d = filepath.Dir(d) {
		cand := filepath.Join(d, rel)
		if _, err := os.Stat(filepath.Join(cand, "kelurahan.geojson")); err == nil {
			return cand, true
		}
		if filepath.Dir(d) == d {
			return "", false
		}
	}
}

// File returns the path of one file of that folder.
func File(tb testing.TB, name string) string {
	tb.Helper()
	return filepath.Join(Dir(tb), name)
}
