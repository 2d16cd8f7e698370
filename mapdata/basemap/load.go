package basemap

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"siaga112/geo/pbfcheck"
)

// extract is what the three passes over a PBF keep: the ways and
// multipolygons the map draws (as node ids), the coordinates of just those
// nodes, and the place nodes.
type extract struct {
	ways      []rawWay
	members   map[osm.WayID][]osm.NodeID // untagged ways of multipolygons
	relations []rawRelation
	need      []osm.NodeID // sorted node ids the ways use
	coords    []orb.Point  // Web Mercator of need[i]; notFound when absent
	places    []feature
	hash      []byte
}

type rawWay struct {
	kind  kind
	nodes []osm.NodeID
}

type rawRelation struct {
	kind         kind
	outer, inner []osm.WayID
}

var notFound = orb.Point{-1, -1}

// read checks the PBF, then makes three passes over it
// (relations, ways, nodes): each pass learns which elements of the next
// one are needed, so only the nodes of drawn ways are held, never the
// whole extract.
func read(ctx context.Context, r io.ReadSeeker, keep orb.Bound) (ex *extract, err error) {
	defer func() {
		// A corrupt block must not take the server down with a panic in
		// the decoder: it is an unreadable extract like any other.
		if p := recover(); p != nil {
			ex, err = nil, fmt.Errorf("not a readable OpenStreetMap PBF extract (%v)", p)
		}
	}()
	ex = &extract{members: map[osm.WayID][]osm.NodeID{}}
	// osmpbf decodes in goroutines of its own, where what it cannot read
	// (plain nodes, bad indices, sizes) is a panic no one can recover:
	// the file is walked once before it sees it, and hashed on the way.
	h := sha256.New()
	if err := pbfcheck.CheckReader(io.TeeReader(r, h)); err != nil {
		return nil, fmt.Errorf("not a readable OpenStreetMap PBF extract: %w", err)
	}
	ex.hash = h.Sum(nil)
	if err := rewind(r); err != nil {
		return nil, err
	}
	wanted := map[osm.WayID]bool{}
	err = scan(ctx, r, func(s *osmpbf.Scanner) { s.SkipNodes, s.SkipWays = true, true }, func(o osm.Object) {
		rel, ok := o.(*osm.Relation)
		if !ok || rel.Tags.Find("type") != "multipolygon" {
			return
		}
		k, ok := classifyWay(rel.Tags, true)
		if !ok || !k.area {
			return
		}
		rr := rawRelation{kind: k}
		for _, m := range rel.Members {
			if m.Type != osm.TypeWay {
				continue
			}
			switch m.Role {
			case "inner":
				rr.inner = append(rr.inner, osm.WayID(m.Ref))
			case "outer", "":
				rr.outer = append(rr.outer, osm.WayID(m.Ref))
			default:
				continue
			}
			wanted[osm.WayID(m.Ref)] = true
		}
		if len(rr.outer) > 0 {
			ex.relations = append(ex.relations, rr)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := rewind(r); err != nil {
		return nil, err
	}
	err = scan(ctx, r, func(s *osmpbf.Scanner) { s.SkipNodes, s.SkipRelations = true, true }, func(o osm.Object) {
		w, ok := o.(*osm.Way)
		if !ok || len(w.Nodes) < 2 {
			return
		}
		ids := w.Nodes.NodeIDs()
		if wanted[w.ID] {
			ex.members[w.ID] = ids
			ex.need = append(ex.need, ids...)
		}
		closed := len(ids) >= 4 && ids[0] == ids[len(ids)-1]
		if k, ok := classifyWay(w.Tags, closed); ok {
			ex.ways = append(ex.ways, rawWay{kind: k, nodes: ids})
			ex.need = append(ex.need, ids...)
		}
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(ex.need)
	ex.need = slices.Clip(slices.Compact(ex.need))
	ex.coords = make([]orb.Point, len(ex.need))
	for i := range ex.coords {
		ex.coords[i] = notFound
	}
	if err := rewind(r); err != nil {
		return nil, err
	}
	keepM := mercatorBound(keep)
	err = scan(ctx, r, func(s *osmpbf.Scanner) { s.SkipWays, s.SkipRelations = true, true }, func(o osm.Object) {
		n, ok := o.(*osm.Node)
		if !ok || !validLonLat(n.Lon, n.Lat) {
			return
		}
		if i, found := slices.BinarySearch(ex.need, n.ID); found {
			ex.coords[i] = mercator(n.Lon, n.Lat)
		}
		if len(n.Tags) == 0 {
			return
		}
		if k, name, ok := classifyPlace(n.Tags); ok {
			if p := mercator(n.Lon, n.Lat); keepM.Contains(p) {
				ex.places = append(ex.places, feature{geom: p, layer: k.layer, class: k.class, name: name, minZoom: k.minZoom})
			}
		}
	})
	return ex, err
}

// scan runs one pass of the PBF decoder over r.
func scan(ctx context.Context, r io.Reader, setup func(*osmpbf.Scanner), each func(osm.Object)) error {
	s := osmpbf.New(ctx, r, runtime.GOMAXPROCS(0))
	defer s.Close()
	setup(s)
	for s.Scan() {
		each(s.Object())
	}
	if err := s.Err(); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return fmt.Errorf("not a readable OpenStreetMap PBF extract: %w", err)
	}
	return nil
}

func rewind(r io.Seeker) error {
	_, err := r.Seek(0, io.SeekStart)
	return err
}

// point is the Web Mercator position of a node the ways need.
func (ex *extract) point(id osm.NodeID) (orb.Point, bool) {
	i, found := slices.BinarySearch(ex.need, id)
	if !found || ex.coords[i] == notFound {
		return orb.Point{}, false
	}
	return ex.coords[i], true
}

// line is a way's course in Web Mercator, without nodes the extract
// lacks (cut at its edge by osmium).
func (ex *extract) line(ids []osm.NodeID) orb.LineString {
	ls := make(orb.LineString, 0, len(ids))
	for _, id := range ids {
		if p, ok := ex.point(id); ok {
			ls = append(ls, p)
		}
	}
	return ls
}

// openFile opens the extract, with a sentence for the usual mistakes.
func openFile(path string) (*os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, errors.New("no such file")
		}
		return nil, err
	}
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		f.Close()
		return nil, errors.New("is a directory, not a PBF extract")
	}
	return f, nil
}
