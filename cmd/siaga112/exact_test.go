package main

import (
	"io"
	"strings"
	"testing"
)

// Without --boundaries the server locates exactly, with the embedded
// official polygons: a point inside Kaligandu (a concave kelurahan whose
// centroid falls outside it; the approximate locator says Terondol) is
// Kaligandu.
func TestDefaultLocatesExactly(t *testing.T) {
	cfg := testConfig(t)
	if cfg.Boundaries != "" {
		t.Fatalf("testConfig sets --boundaries %q", cfg.Boundaries)
	}
	base := startRun(t, cfg)
	resp, err := get(base + "/api/locate?lat=-6.101462&lon=106.175932")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || !strings.Contains(string(b), `"approximate":false`) || !strings.Contains(string(b), "36.73.01.1010") {
		t.Fatalf("%d %s", resp.StatusCode, b)
	}
}
