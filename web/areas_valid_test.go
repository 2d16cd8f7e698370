package web

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"siaga112/tracking/trackingtest"
)

// Every kecamatan polygon /api/areas serves is valid under OGC rules, as
// shapely (GEOS, Debian's python3-shapely) judges it: not its kelurahan
// stacked, which cross each other along every shared border.
func TestAreasKecamatanValidByShapely(t *testing.T) {
	py := trackingtest.PythonWith(t, "shapely") // the independent validator
	ts := exactServer(t)
	status, body := do(t, "GET", ts.URL+"/api/areas?level=kecamatan", "")
	if status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	path := filepath.Join(t.TempDir(), "kecamatan.geojson")
	if err := os.WriteFile(path, body, 0o600); err != nil {
		t.Fatal(err)
	}
	const check = `
import json, sys
from shapely.geometry import shape
from shapely.validation import explain_validity
fc = json.load(open(sys.argv[1]))
bad = [f["properties"]["code"] + ": " + explain_validity(shape(f["geometry"])) for f in fc["features"] if not shape(f["geometry"]).is_valid]
print("\n".join(bad) if bad else "ok %d" % len(fc["features"]))
`
	out, err := exec.Command(py, "-c", check, path).CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "ok 6" {
		t.Fatalf("shapely: %v\n%s", err, out)
	}
}
