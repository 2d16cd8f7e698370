// Package basemaptest makes synthetic OpenStreetMap extracts for the base
// map's tests and benchmarks: OSM XML written here, turned into PBF by
// osmium (as a user would cut one).
package basemaptest

import (
	"bufio"
	"bytes"
	"fmt"
	"html"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"siaga112/tracking/trackingtest"
)

// osmWriter writes OSM XML, numbering nodes, ways and relations from 1.
// Ways and relations wait in memory, so the file is sorted as extracts
// are: nodes, then ways, then relations, each by id.
type osmWriter struct {
	w              *bufio.Writer
	ways, rels     bytes.Buffer
	node, way, rel int64
}

func newOSM(w io.Writer) *osmWriter {
	o := &osmWriter{w: bufio.NewWriterSize(w, 1<<16)}
	fmt.Fprintln(o.w, `<?xml version="1.0" encoding="UTF-8"?>`)
	fmt.Fprintln(o.w, `<osm version="0.6" generator="basemaptest">`)
	return o
}

func (o *osmWriter) close() error {
	o.w.Write(o.ways.Bytes())
	o.w.Write(o.rels.Bytes())
	fmt.Fprintln(o.w, "</osm>")
	return o.w.Flush()
}

// addNode writes a node and returns its id; tags are key, value pairs.
func (o *osmWriter) addNode(lon, lat float64, tags ...string) int64 {
	o.node++
	if len(tags) == 0 {
		fmt.Fprintf(o.w, " <node id=\"%d\" version=\"1\" lat=\"%.7f\" lon=\"%.7f\"/>\n", o.node, lat, lon)
		return o.node
	}
	fmt.Fprintf(o.w, " <node id=\"%d\" version=\"1\" lat=\"%.7f\" lon=\"%.7f\">\n", o.node, lat, lon)
	o.tags(o.w, tags)
	fmt.Fprintln(o.w, " </node>")
	return o.node
}

func (o *osmWriter) addWay(nodes []int64, tags ...string) int64 {
	o.way++
	fmt.Fprintf(&o.ways, " <way id=\"%d\" version=\"1\">\n", o.way)
	for _, n := range nodes {
		fmt.Fprintf(&o.ways, "  <nd ref=\"%d\"/>\n", n)
	}
	o.tags(&o.ways, tags)
	fmt.Fprintln(&o.ways, " </way>")
	return o.way
}

// member is a relation member: a way and its role.
type member struct {
	way  int64
	role string
}

func (o *osmWriter) addRelation(members []member, tags ...string) int64 {
	o.rel++
	fmt.Fprintf(&o.rels, " <relation id=\"%d\" version=\"1\">\n", o.rel)
	for _, m := range members {
		fmt.Fprintf(&o.rels, "  <member type=\"way\" ref=\"%d\" role=\"%s\"/>\n", m.way, m.role)
	}
	o.tags(&o.rels, tags)
	fmt.Fprintln(&o.rels, " </relation>")
	return o.rel
}

func (o *osmWriter) tags(w io.Writer, kv []string) {
	for i := 0; i+1 < len(kv); i += 2 {
		fmt.Fprintf(w, "  <tag k=\"%s\" v=\"%s\"/>\n", html.EscapeString(kv[i]), html.EscapeString(kv[i+1]))
	}
}

// box writes a closed way around (lon0, lat0)–(lon1, lat1), counter-
// clockwise as OSM draws it, and returns its node ids.
func (o *osmWriter) box(lon0, lat0, lon1, lat1 float64) []int64 {
	a := o.addNode(lon0, lat0)
	b := o.addNode(lon1, lat0)
	c := o.addNode(lon1, lat1)
	d := o.addNode(lon0, lat1)
	return []int64{a, b, c, d, a}
}

// PBF turns OSM XML (written by write) into a PBF with osmium cat, once
// per machine: both are kept in the temporary directory under name (which
// should carry a version), written to temporary files and renamed, so
// processes running at once share them. It needs osmium (trackingtest.Tool).
func PBF(tb testing.TB, name string, write func(io.Writer) error) string {
	tb.Helper()
	trackingtest.Tool(tb, "osmium", "osmium-tool") // makes the synthetic extract
	mu.Lock()
	defer mu.Unlock()
	dir := filepath.Join(os.TempDir(), "siaga112-basemap")
	pbf := filepath.Join(dir, name+".osm.pbf")
	if _, err := os.Stat(pbf); err == nil {
		return pbf
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	f, err := os.CreateTemp(dir, name+"-*.osm")
	if err != nil {
		tb.Fatal(err)
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	tmp := f.Name() + ".pbf"
	defer os.Remove(tmp)
	if out, err := exec.Command("osmium", "cat", "--overwrite", f.Name(), "-o", tmp).CombinedOutput(); err != nil {
		tb.Fatalf("osmium cat: %v: %s", err, out)
	}
	if err := os.Rename(tmp, pbf); err != nil {
		tb.Fatal(err)
	}
	return pbf
}

var mu sync.Mutex
