package roads

import (
	"bytes"
	"cmp"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/paulmach/orb"
	"github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"

	"siaga112/geo/pbfcheck"
)

// Options shape a load.
type Options struct {
	// SpeedsKmh per highway class; nil: DefaultSpeedsKmh.
	SpeedsKmh map[string]float64
	// Keep, when not empty, is the area whose nodes are kept (the city
	// and its approaches): a large extract (all of Java) keeps only the
	// drivable ways near it, cut where they leave it.
	Keep orb.Bound
	// Inside, when set, is the city: an extract with no drivable way in
	// it is refused.
	Inside func(orb.Point) bool
}

// Stats says what a load kept and dropped.
type Stats struct {
	Nodes, Edges int // graph nodes (with restriction copies) and directed edges
	NodeCopies   int // via nodes copied for turn restrictions
	Ways         int // drivable ways (pieces of ways cut at missing nodes count each)
	WaysCut      int // ways cut at nodes missing from the extract or outside Keep
	Components   int // strongly connected components

	Restrictions        int // via-node turn restrictions obeyed
	ViaWayRestrictions  int // via-way restrictions: counted, ignored
	RestrictionsIgnored int // members missing from the extract, or not a turn a car makes
	LoadTime            time.Duration
}

// Error is a refused extract: the file and why.
type Error struct {
	File, Reason string
	Err          error // the underlying error, if any
}

func (e *Error) Error() string {
	return fmt.Sprintf("the OSM extract %s cannot be used: %s", e.File, e.Reason)
}
func (e *Error) Unwrap() error { return e.Err }

// Load reads a PBF extract into a Graph. It refuses, with an *Error
// naming the file and the reason: a missing or unreadable file, one that
// is not a PBF by content, a truncated PBF, one without drivable ways, and
// (with Options.Inside) one without a drivable way in the city.
func Load(ctx context.Context, path string, opt Options) (*Graph, error) {
	start := time.Now()
	if opt.SpeedsKmh == nil {
		opt.SpeedsKmh = DefaultSpeedsKmh
	}
	refuse := func(err error, format string, a ...any) error {
		return &Error{File: path, Reason: fmt.Sprintf(format, a...), Err: err}
	}
	if err := checkPBF(path); err != nil {
		var e *Error
		if errors.As(err, &e) {
			return nil, err
		}
		return nil, refuse(err, "%v", err)
	}
	// The reader panics, out of reach, on some damaged or unusual files:
	// pbfcheck refuses those first, in words.
	if err := pbfcheck.Check(path); err != nil {
		return nil, refuse(err, "the PBF cannot be read: %v", err)
	}
	nodes, err := readNodes(ctx, path, opt.Keep)
	if err != nil {
		return nil, refuse(err, "%s", readReason(err))
	}
	ways, rs, seen, st, err := readWays(ctx, path, opt, nodes)
	if err != nil {
		return nil, refuse(err, "%s", readReason(err))
	}
	switch {
	case seen == 0:
		return nil, refuse(nil, "it has no drivable ways (highway=motorway, trunk, primary, secondary, tertiary, their links, unclassified, residential, living_street or service, open to motor vehicles)")
	case len(ways) == 0:
		return nil, refuse(nil, "none of its %d drivable ways lies near the city (is it an extract of the right area?)", seen)
	}
	if opt.Inside != nil && !anyInside(ways, nodes, opt.Inside) {
		return nil, refuse(nil, "none of its %d drivable ways lies inside the city boundary (is it an extract of the right area?)", seen)
	}
	g := build(ways, rs, nodes.pos, &st)
	st.LoadTime = time.Since(start)
	g.stats = st
	return g, nil
}

// checkPBF looks at the first bytes: a PBF starts with the length of its
// first blob header, which names an "OSMHeader" blob.
func checkPBF(path string) error {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return &Error{File: path, Reason: "the file does not exist", Err: err}
		}
		return &Error{File: path, Reason: err.Error(), Err: err}
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.IsDir() {
		return &Error{File: path, Reason: "it is a directory, not a PBF file"}
	}
	head := make([]byte, 64)
	n, err := io.ReadFull(f, head)
	head = head[:n]
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return &Error{File: path, Reason: err.Error(), Err: err}
	}
	text := bytes.TrimSpace(head)
	switch {
	case n == 0:
		return &Error{File: path, Reason: "the file is empty"}
	case bytes.HasPrefix(text, []byte("<?xml")) || bytes.HasPrefix(text, []byte("<osm")):
		return &Error{File: path, Reason: "it is OSM XML, not a PBF (convert it: osmium cat " + path + " -o extract.osm.pbf)"}
	case n < 8 || !bytes.Contains(head, []byte("OSMHeader")):
		return &Error{File: path, Reason: "it is not an OpenStreetMap PBF file (no OSMHeader blob at its start)"}
	}
	if size := binary.BigEndian.Uint32(head); size > 64*1024 {
		return &Error{File: path, Reason: "it is not an OpenStreetMap PBF file (its first header is too long)"}
	}
	return nil
}

// readReason words a scanner error for a person.
func readReason(err error) string {
	if errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF") {
		return "the PBF is truncated (it ends in the middle of a block): download or cut it again"
	}
	return "the PBF cannot be read: " + err.Error()
}

// nodeTable holds the kept nodes' places, sorted by id, in OSM's own
// 1e-7 degree integers (exact, and half the memory of float64s).
type nodeTable struct {
	ids      []int64
	lat, lon []int32
}

func (t *nodeTable) find(id int64) (int, bool) {
	return slices.BinarySearch(t.ids, id)
}

func (t *nodeTable) pos(id int64) orb.Point {
	i, _ := t.find(id)
	return orb.Point{float64(t.lon[i]) / 1e7, float64(t.lat[i]) / 1e7}
}

func readNodes(ctx context.Context, path string, keep orb.Bound) (*nodeTable, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := osmpbf.New(ctx, f, runtime.GOMAXPROCS(0))
	defer sc.Close()
	sc.SkipWays, sc.SkipRelations = true, true
	all := keep.IsZero()
	sc.FilterNode = func(n *osm.Node) bool { return all || keep.Contains(orb.Point{n.Lon, n.Lat}) }
	t := &nodeTable{}
	sorted := true
	for sc.Scan() {
		n, ok := sc.Object().(*osm.Node)
		if !ok {
			continue
		}
		id := int64(n.ID)
		if k := len(t.ids); k > 0 && t.ids[k-1] >= id {
			sorted = false
		}
		t.ids = append(t.ids, id)
		t.lat = append(t.lat, int32(n.Lat*1e7+copysignHalf(n.Lat)))
		t.lon = append(t.lon, int32(n.Lon*1e7+copysignHalf(n.Lon)))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if !sorted {
		idx := make([]int, len(t.ids))
		for i := range idx {
			idx[i] = i
		}
		slices.SortFunc(idx, func(a, b int) int { return cmp.Compare(t.ids[a], t.ids[b]) })
		s := &nodeTable{ids: make([]int64, len(idx)), lat: make([]int32, len(idx)), lon: make([]int32, len(idx))}
		for j, i := range idx {
			s.ids[j], s.lat[j], s.lon[j] = t.ids[i], t.lat[i], t.lon[i]
		}
		t = s
	}
	return t, nil
}

func copysignHalf(v float64) float64 {
	if v < 0 {
		return -0.5
	}
	return 0.5
}

// readWays reads the drivable ways and the turn restrictions, cutting
// ways at nodes the table lacks. seen counts the drivable ways in the
// whole extract, kept or not.
func readWays(ctx context.Context, path string, opt Options, nodes *nodeTable) (ways []way, rs []restriction, seen int, st Stats, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, 0, st, err
	}
	defer f.Close()
	sc := osmpbf.New(ctx, f, runtime.GOMAXPROCS(0))
	defer sc.Close()
	sc.SkipNodes = true
	sc.FilterWay = func(w *osm.Way) bool { return drivable(w.Tags) }
	sc.FilterRelation = func(r *osm.Relation) bool { return r.Tags.Find("type") == "restriction" }
	for sc.Scan() {
		switch o := sc.Object().(type) {
		case *osm.Way:
			seen++
			speed := opt.SpeedsKmh[o.Tags.Find("highway")]
			if m := maxspeedKmh(o.Tags.Find("maxspeed")); m > 0 && m < speed {
				speed = m
			}
			base := way{id: int64(o.ID), speedKmh: speed, dir: direction(o.Tags)}
			var piece []int64
			cut := false
			flush := func() {
				if len(piece) >= 2 {
					w := base
					w.nodes = piece
					ways = append(ways, w)
				}
				piece = nil
			}
			for _, wn := range o.Nodes {
				if _, ok := nodes.find(int64(wn.ID)); !ok {
					cut = true
					flush()
					continue
				}
				piece = append(piece, int64(wn.ID))
			}
			flush()
			if cut {
				st.WaysCut++
			}
		case *osm.Relation:
			r, kind := parseRestriction(o)
			switch kind {
			case restrictViaNode:
				rs = append(rs, r)
			case restrictViaWay:
				st.ViaWayRestrictions++
			default:
				st.RestrictionsIgnored++
			}
		}
	}
	return ways, rs, seen, st, sc.Err()
}

type restrictKind int

const (
	restrictNone restrictKind = iota
	restrictViaNode
	restrictViaWay
)

// parseRestriction reads a type=restriction relation: restriction=no_* or
// only_* (or restriction:motorcar=…), from and to ways, a via node or way.
func parseRestriction(rel *osm.Relation) (restriction, restrictKind) {
	v := rel.Tags.Find("restriction")
	if v == "" {
		v = rel.Tags.Find("restriction:motorcar")
	}
	var r restriction
	switch {
	case strings.HasPrefix(v, "no_"):
	case strings.HasPrefix(v, "only_"):
		r.only = true
	default:
		return r, restrictNone
	}
	var from, to, vias int
	viaWay := false
	for _, m := range rel.Members {
		switch {
		case m.Role == "from" && m.Type == osm.TypeWay:
			r.from = m.Ref
			from++
		case m.Role == "to" && m.Type == osm.TypeWay:
			r.to = m.Ref
			to++
		case m.Role == "via" && m.Type == osm.TypeNode:
			r.via = m.Ref
			vias++
		case m.Role == "via" && m.Type == osm.TypeWay:
			viaWay = true
		}
	}
	switch {
	case viaWay:
		return r, restrictViaWay
	case from != 1 || to != 1 || vias != 1:
		return r, restrictNone
	}
	return r, restrictViaNode
}

func anyInside(ways []way, nodes *nodeTable, inside func(orb.Point) bool) bool {
	for _, w := range ways {
		for _, id := range w.nodes {
			if inside(nodes.pos(id)) {
				return true
			}
		}
	}
	return false
}
