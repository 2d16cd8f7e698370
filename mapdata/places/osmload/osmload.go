// Package osmload reads an OpenStreetMap PBF extract (paulmach/osm's
// osmpbf) into what place search needs: named nodes and named ways with
// their coordinates. It is read once, at start.
package osmload

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"sync"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"siaga112/geo/pbfcheck"

	"siaga112/mapdata/places"
)

// Stats says what was read.
type Stats struct {
	Nodes       int // nodes inside the bound
	NamedNodes  int
	NamedWays   int
	MissingRefs int // way nodes the extract lacks or the bound left out
}

// ReadFile reads the PBF file at path.
func ReadFile(ctx context.Context, path string, bound orb.Bound) (*places.Extract, Stats, error) {
	// osmpbf panics, out of reach, on some damaged files: refuse them first.
	if err := pbfcheck.Check(path); err != nil {
		return nil, Stats{}, fmt.Errorf("%s: the PBF cannot be read: %w", path, err)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, Stats{}, err
	}
	defer f.Close()
	x, st, err := Read(ctx, f, bound)
	if err != nil {
		return nil, st, fmt.Errorf("%s: %w", path, err)
	}
	return x, st, nil
}

type coord struct {
	id       int64
	lon, lat float64
}

// Read reads a PBF extract (trusted: ReadFile checks a file first with
// pbfcheck), keeping the nodes inside bound (empty: all):
// every named node, and every named way with the points of its nodes
// (those outside bound are left out of the way).
func Read(ctx context.Context, r io.Reader, bound orb.Bound) (*places.Extract, Stats, error) {
	var mu sync.Mutex
	var coords []coord
	inside := func(lon, lat float64) bool { return bound.IsZero() || bound.Contains(orb.Point{lon, lat}) }
	sc := osmpbf.New(ctx, r, max(1, min(runtime.GOMAXPROCS(0), 4)))
	defer sc.Close()
	sc.SkipRelations = true
	// Filters run on the decoders' goroutines: coordinates are kept there
	// and the node itself only when it is named (the rest reuse memory).
	sc.FilterNode = func(n *osm.Node) bool {
		if !inside(n.Lon, n.Lat) {
			return false
		}
		mu.Lock()
		coords = append(coords, coord{int64(n.ID), n.Lon, n.Lat})
		mu.Unlock()
		return hasName(n.Tags)
	}
	sc.FilterWay = func(w *osm.Way) bool { return hasName(w.Tags) }
	x := &places.Extract{}
	var ways []*osm.Way
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Node:
			x.Nodes = append(x.Nodes, places.Node{ID: int64(o.ID), Point: orb.Point{o.Lon, o.Lat}, Tags: o.Tags.Map()})
		case *osm.Way:
			ways = append(ways, o)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, Stats{}, fmt.Errorf("read the OSM extract: %w", err)
	}
	slices.SortFunc(coords, func(a, b coord) int { return cmp.Compare(a.id, b.id) })
	st := Stats{Nodes: len(coords), NamedNodes: len(x.Nodes), NamedWays: len(ways)}
	for _, w := range ways {
		pw := places.Way{ID: int64(w.ID), Tags: w.Tags.Map()}
		for _, wn := range w.Nodes {
			i, ok := slices.BinarySearchFunc(coords, int64(wn.ID), func(c coord, id int64) int { return cmp.Compare(c.id, id) })
			if !ok {
				st.MissingRefs++
				continue
			}
			pw.NodeID = append(pw.NodeID, coords[i].id)
			pw.Points = append(pw.Points, orb.Point{coords[i].lon, coords[i].lat})
		}
		if len(pw.Points) > 0 {
			x.Ways = append(x.Ways, pw)
		}
	}
	return x, st, nil
}

func hasName(tags osm.Tags) bool {
	for _, t := range tags {
		if slices.Contains(places.NameKeys, t.Key) && t.Value != "" {
			return true
		}
	}
	return false
}
