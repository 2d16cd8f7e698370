// Package roadstest makes road networks for benchmarks: a generated grid
// town over Kota Serang, as OSM XML (osm2pgrouting reads it) and as a PBF
// (osmium cat, as a user would make one).
package roadstest

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/paulmach/orb"

	"siaga112/tracking/trackingtest"
)

// GridBound is the generated grid's extent: over the whole city.
var GridBound = orb.Bound{Min: orb.Point{106.09, -6.19}, Max: orb.Point{106.23, -6.04}}

// GridSide is the grid's nodes per side: 160² = 25,600 nodes and, with one
// residential row or column in eight one-way (both ways of tagging), about
// 95,000 directed edges.
const GridSide = 160

// WriteGrid writes the grid as OSM XML: rows and columns every ~100 m;
// every 10th primary, every 5th secondary, the rest residential, one
// residential line in eight oneway=yes and one in eight oneway=-1.
func WriteGrid(w io.Writer, n int) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintln(bw, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(bw, `<osm version="0.6" generator="roadstest">`)
	id := func(i, j int) int { return j*n + i + 1 }
	for j := range n {
		for i := range n {
			lon := GridBound.Min[0] + float64(i)*(GridBound.Max[0]-GridBound.Min[0])/float64(n-1)
			lat := GridBound.Min[1] + float64(j)*(GridBound.Max[1]-GridBound.Min[1])/float64(n-1)
			fmt.Fprintf(bw, " <node id=\"%d\" version=\"1\" lat=\"%.7f\" lon=\"%.7f\"/>\n", id(i, j), lat, lon)
		}
	}
	way := 1
	line := func(k int, node func(m int) int) {
		fmt.Fprintf(bw, " <way id=\"%d\" version=\"1\">\n", way)
		way++
		for m := range n {
			fmt.Fprintf(bw, "  <nd ref=\"%d\"/>\n", node(m))
		}
		switch {
		case k%10 == 0:
			fmt.Fprintln(bw, `  <tag k="highway" v="primary"/>`)
		case k%5 == 0:
			fmt.Fprintln(bw, `  <tag k="highway" v="secondary"/>`)
		default:
			fmt.Fprintln(bw, `  <tag k="highway" v="residential"/>`)
			switch k % 8 {
			case 3:
				fmt.Fprintln(bw, `  <tag k="oneway" v="yes"/>`)
			case 7:
				fmt.Fprintln(bw, `  <tag k="oneway" v="-1"/>`)
			}
		}
		fmt.Fprintln(bw, " </way>")
	}
	for j := range n {
		line(j, func(m int) int { return id(m, j) })
	}
	for i := range n {
		line(i, func(m int) int { return id(i, m) })
	}
	fmt.Fprintln(bw, "</osm>")
	return bw.Flush()
}

var (
	gridOnce      sync.Once
	gridErr       error
	gridPBF, grid string
)

// Grid writes the grid once per machine (XML and PBF, kept in the
// temporary directory under a name of its version, written to temporary
// files and renamed, so processes running at once share it) and returns
// both paths. It needs osmium (trackingtest.Tool).
func Grid(tb testing.TB) (pbf, xml string) {
	tb.Helper()
	trackingtest.Tool(tb, "osmium", "osmium-tool") // makes the grid extract
	gridOnce.Do(func() {
		dir := filepath.Join(os.TempDir(), fmt.Sprintf("siaga112-grid-v1-%d", GridSide))
		grid, gridPBF = filepath.Join(dir, "grid.osm"), filepath.Join(dir, "grid.osm.pbf")
		if _, err := os.Stat(gridPBF); err == nil {
			return
		}
		if gridErr = os.MkdirAll(dir, 0o755); gridErr != nil {
			return
		}
		f, err := os.CreateTemp(dir, "grid-*.osm")
		if err != nil {
			gridErr = err
			return
		}
		defer os.Remove(f.Name())
		if err := WriteGrid(f, GridSide); err != nil {
			f.Close()
			gridErr = err
			return
		}
		f.Close()
		tmpPBF := f.Name() + ".pbf"
		defer os.Remove(tmpPBF)
		if out, err := exec.Command("osmium", "cat", "--overwrite", f.Name(), "-o", tmpPBF).CombinedOutput(); err != nil {
			gridErr = fmt.Errorf("osmium cat: %v: %s", err, out)
			return
		}
		if gridErr = os.Rename(f.Name(), grid); gridErr == nil {
			gridErr = os.Rename(tmpPBF, gridPBF)
		}
	})
	if gridErr != nil {
		tb.Fatal(gridErr)
	}
	return gridPBF, grid
}
