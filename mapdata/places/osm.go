package places

import (
	"slices"
	"strconv"
	"strings"
	"unicode"

	"github.com/paulmach/orb"
)

// Extract is what search needs of an OpenStreetMap extract: its named
// nodes and named ways with their coordinates (osmload reads one).
type Extract struct {
	Nodes []Node
	Ways  []Way
}

// Node is a named node.
type Node struct {
	ID    int64
	Point orb.Point
	Tags  map[string]string
}

// Way is a named way: its node ids and their points, side by side (nodes
// the extract lacks are left out of both).
type Way struct {
	ID     int64
	NodeID []int64
	Points orb.LineString
	Tags   map[string]string
}

// NameKeys are the tags that name a thing; ";" separates several names.
var NameKeys = []string{"name", "alt_name", "old_name", "short_name", "official_name", "loc_name"}

// CategoryKeys are read in order for a POI's category (the first found).
var CategoryKeys = []string{"amenity", "shop", "healthcare", "tourism", "leisure", "office", "emergency", "craft",
	"historic", "public_transport", "railway", "aeroway", "man_made", "sport", "landuse", "natural", "waterway", "building", "place"}

// names lists a thing's names: the canonical one first (name, else the
// first other), then the rest, each once, control characters dropped.
func names(tags map[string]string) []string {
	var out []string
	for _, k := range NameKeys {
		for v := tags[k]; v != ""; {
			var n string
			n, v, _ = strings.Cut(v, ";")
			if n = cleanName(n); n != "" && !slices.Contains(out, n) {
				out = append(out, n)
			}
		}
	}
	return out
}

// cleanName drops control and format characters (an extract is outside
// input; tabs and line breaks are spaces) and folds runs of spaces.
func cleanName(s string) string {
	plain := true
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c > ' ' && c < 0x7f || c == ' ' && i > 0 && i < len(s)-1 && s[i-1] != ' '
	}
	if plain {
		return s
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return ' '
		}
		if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) || r == '\u2028' || r == '\u2029' || r == unicode.ReplacementChar {
			return -1
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func category(tags map[string]string) string {
	for _, k := range CategoryKeys {
		if v := tags[k]; v != "" {
			if v == "yes" {
				return k
			}
			return cleanName(v)
		}
	}
	return ""
}

// street is a named road: its ways' lines and nodes (sorted, for crossings).
type street struct {
	lines orb.MultiLineString
	nodes []int64
	pts   []orb.Point // of nodes
}

// osmFeatures turns an extract into streets and POIs within bound (all of
// it when bound is empty). gazetteer holds the normalised names of the
// areas, which place=* nodes and ways repeat.
func osmFeatures(x *Extract, bound orb.Bound, gazetteer map[string]bool) ([]named, []street) {
	inside := func(p orb.Point) bool { return bound.IsZero() || bound.Contains(p) }
	out := make([]named, 0, len(x.Nodes)+len(x.Ways))
	streets := make([]street, 0, len(x.Ways))
	// Streets: ways of one name that share a node are one street.
	groups := map[string][]int{} // normalised name → ways
	wayNames := make([][]string, len(x.Ways))
	for i := range x.Ways {
		w := &x.Ways[i]
		ns := names(w.Tags)
		if len(ns) == 0 || len(w.Points) == 0 {
			continue
		}
		if w.Tags["highway"] != "" {
			wayNames[i] = ns
			k := strings.Join(Normalize(ns[0]), " ")
			groups[k] = append(groups[k], i)
			continue
		}
		if skipPOI(w.Tags, ns, gazetteer) {
			continue
		}
		p := halfway([]orb.LineString{w.Points})
		if len(w.Points) >= 4 && w.NodeID[0] == w.NodeID[len(w.NodeID)-1] {
			p = interior(orb.Ring(w.Points))
		}
		if !inside(p) {
			continue
		}
		out = append(out, poi("osm:way/"+strconv.FormatInt(w.ID, 10), ns, w.Tags, p, w.Points.Bound()))
	}
	for i := range x.Nodes {
		n := &x.Nodes[i]
		ns := names(n.Tags)
		if len(ns) == 0 || !inside(n.Point) || skipPOI(n.Tags, ns, gazetteer) {
			continue
		}
		out = append(out, poi("osm:node/"+strconv.FormatInt(n.ID, 10), ns, n.Tags, n.Point, n.Point.Bound()))
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		for _, ways := range connected(x.Ways, groups[k]) {
			s, f, ok := makeStreet(x.Ways, wayNames, ways, bound)
			if !ok {
				continue
			}
			f.street = int32(len(streets))
			streets = append(streets, s)
			out = append(out, f)
		}
	}
	return out, streets
}

// skipPOI: boundaries, and place=* repeating an area of the gazetteer.
func skipPOI(tags map[string]string, ns []string, gazetteer map[string]bool) bool {
	if tags["boundary"] != "" || tags["type"] == "boundary" {
		return true
	}
	return tags["place"] != "" && gazetteer[strings.Join(Normalize(ns[0]), " ")]
}

func poi(id string, ns []string, tags map[string]string, p orb.Point, b orb.Bound) named {
	f := named{feature: feature{id: id, kind: KindPOI, source: SourceOSM, category: category(tags), names: ns, point: p, bound: b, street: -1, prio: prioPOI}}
	for _, n := range ns {
		f.words = append(f.words, Normalize(n))
	}
	return f
}

// connected splits ways (indices into all) into groups that share nodes.
func connected(all []Way, ways []int) [][]int {
	if len(ways) == 1 {
		return [][]int{ways}
	}
	parent := make([]int, len(ways))
	for i := range parent {
		parent[i] = i
	}
	var find func(int) int
	find = func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	first := map[int64]int{}
	for i, w := range ways {
		for _, n := range all[w].NodeID {
			if j, ok := first[n]; ok {
				parent[find(i)] = find(j)
			} else {
				first[n] = i
			}
		}
	}
	byRoot := map[int][]int{}
	var roots []int
	for i, w := range ways {
		r := find(i)
		if _, ok := byRoot[r]; !ok {
			roots = append(roots, r)
		}
		byRoot[r] = append(byRoot[r], w)
	}
	out := make([][]int, 0, len(roots))
	for _, r := range roots {
		out = append(out, byRoot[r])
	}
	return out
}

// makeStreet joins the ways of one street: id and canonical name from its
// lowest way id, every other name of its ways as aliases.
func makeStreet(all []Way, wayNames [][]string, ways []int, bound orb.Bound) (street, named, bool) {
	slices.SortFunc(ways, func(a, b int) int { return int(min(max(all[a].ID-all[b].ID, -1), 1)) })
	var s street
	var ns []string
	in := bound.IsZero()
	type np struct {
		id int64
		p  orb.Point
	}
	var nodes []np
	for _, i := range ways {
		w := &all[i]
		for _, n := range wayNames[i] {
			if !slices.Contains(ns, n) {
				ns = append(ns, n)
			}
		}
		s.lines = append(s.lines, w.Points)
		for j, id := range w.NodeID {
			nodes = append(nodes, np{id, w.Points[j]})
			in = in || bound.Contains(w.Points[j])
		}
	}
	if !in {
		return s, named{}, false
	}
	slices.SortFunc(nodes, func(a, b np) int { return int(min(max(a.id-b.id, -1), 1)) })
	nodes = slices.CompactFunc(nodes, func(a, b np) bool { return a.id == b.id })
	for _, n := range nodes {
		s.nodes = append(s.nodes, n.id)
		s.pts = append(s.pts, n.p)
	}
	f := named{feature: feature{id: "osm:way/" + strconv.FormatInt(all[ways[0]].ID, 10), kind: KindStreet, source: SourceOSM, names: ns,
		point: halfway(s.lines), bound: s.lines.Bound(), prio: prioStreet}}
	for _, n := range ns {
		f.words = append(f.words, Normalize(n))
	}
	return s, f, true
}
