package analytics

import (
	"context"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/uber/h3-go/v4"

	"siaga112/tracking"
)

// Segment is the span of an incident's life a query measures.
type Segment string

const (
	// SegmentResponse: on scene − received.
	SegmentResponse Segment = "response"
	// SegmentCallProcessing: dispatched − received.
	SegmentCallProcessing Segment = "call_processing"
	// SegmentTravel: on scene − dispatched.
	SegmentTravel Segment = "travel"
)

// GroupBy is how a query groups incidents.
type GroupBy string

const (
	ByKecamatan GroupBy = "kecamatan"
	ByKelurahan GroupBy = "kelurahan"
	ByH3        GroupBy = "h3"
)

// KeptRes are the H3 resolutions whose cell every record keeps (the ones
// planners use most); other resolutions (0–MaxRes) are computed per query,
// more slowly. A point's cell at a resolution is always LatLngToCell at that
// resolution: the parent of a finer cell can differ near cell edges.
var KeptRes = [3]int{7, 8, 9}

// MaxRes is the finest H3 resolution a query may ask for.
const MaxRes = 15

// row is a record as the index keeps it: compact, times in unix ms (0:
// missing), so a million fit in tens of megabytes.
type row struct {
	received, dispatched, onScene, closed int64
	lat, lon                              float64
	cells                                 [3]h3.Cell // at KeptRes
	cat, kec, kel                         uint16
}

// Cells returns a point's cells at KeptRes.
func Cells(lat, lon float64) [3]h3.Cell {
	var out [3]h3.Cell
	for i, r := range KeptRes {
		out[i] = h3.LatLngToCell(h3.NewLatLng(lat, lon), r)
	}
	return out
}

// Index holds the history, sorted by time received, for fast range
// queries. It is safe for concurrent use.
type Index struct {
	mu    sync.RWMutex
	rows  []row // sorted by received
	ids   map[string]struct{}
	names names
}

// names interns categories and area codes as small numbers.
type names struct {
	byName map[string]uint16
	list   []string
}

func (n *names) id(s string) uint16 {
	if n.byName == nil {
		n.byName = map[string]uint16{}
	}
	if i, ok := n.byName[s]; ok {
		return i
	}
	n.list = append(n.list, s)
	n.byName[s] = uint16(len(n.list) - 1)
	return uint16(len(n.list) - 1)
}

// NewIndex returns an empty index.
func NewIndex() *Index { return &Index{ids: map[string]struct{}{}} }

// Len is the number of records held.
func (ix *Index) Len() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.rows)
}

// Has reports whether the index holds a record of that id.
func (ix *Index) Has(id string) bool {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	_, ok := ix.ids[id]
	return ok
}

func ms(t *time.Time) int64 {
	if t == nil {
		return 0
	}
	return t.UnixMilli()
}

// Add adds the records whose ids are new and returns how many it added.
func (ix *Index) Add(rs []tracking.HistoryRecord) int {
	fresh := make([]row, 0, len(rs))
	ix.mu.Lock()
	defer ix.mu.Unlock()
	for _, r := range rs {
		if _, dup := ix.ids[r.ID]; dup {
			continue
		}
		ix.ids[r.ID] = struct{}{}
		fresh = append(fresh, ix.toRow(r))
	}
	if len(fresh) == 0 {
		return 0
	}
	sorted := len(ix.rows) == 0 || fresh[0].received >= ix.rows[len(ix.rows)-1].received
	ix.rows = append(ix.rows, fresh...)
	if !sorted || !slices.IsSortedFunc(fresh, byReceived) {
		slices.SortStableFunc(ix.rows, byReceived)
	}
	return len(fresh)
}

func byReceived(a, b row) int {
	switch {
	case a.received < b.received:
		return -1
	case a.received > b.received:
		return 1
	}
	return 0
}

// toRow converts a record. Caller holds the write lock (names).
func (ix *Index) toRow(r tracking.HistoryRecord) row {
	return row{
		received: r.ReceivedAt.UnixMilli(), dispatched: ms(r.DispatchedAt), onScene: ms(r.OnSceneAt), closed: ms(r.ClosedAt),
		lat: r.Lat, lon: r.Lon, cells: Cells(r.Lat, r.Lon),
		cat: ix.names.id(string(r.Category)), kec: ix.names.id(r.KecamatanCode), kel: ix.names.id(r.KelurahanCode),
	}
}

// Query asks for response-time percentiles.
type Query struct {
	From, To time.Time         // received in [From, To); zero: open-ended
	Category tracking.Category // "": every category
	Segment  Segment
	By       GroupBy
	Res      int // H3 resolution for ByH3
}

// Validate checks a query's words.
func (q Query) Validate() error {
	switch q.Segment {
	case SegmentResponse, SegmentCallProcessing, SegmentTravel:
	default:
		return tracking.Errorf(tracking.CodeInvalid, "segment must be response, call_processing or travel, not %q", q.Segment)
	}
	switch q.By {
	case ByKecamatan, ByKelurahan:
	case ByH3:
		if q.Res < 0 || q.Res > MaxRes {
			return tracking.Errorf(tracking.CodeInvalid, "res must be an H3 resolution from 0 to %d, not %d", MaxRes, q.Res)
		}
	default:
		return tracking.Errorf(tracking.CodeInvalid, "by must be kecamatan, kelurahan or h3, not %q", q.By)
	}
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return tracking.Errorf(tracking.CodeInvalid, "from (%s) must be before to (%s)", q.From.Format(time.RFC3339), q.To.Format(time.RFC3339))
	}
	return nil
}

// Group is one area's or cell's answer.
type Group struct {
	Key string // Kemendagri code or H3 index
	Summary
}

// Result answers a query: groups by key, and how many incidents in range
// lacked the stamps the segment needs (left out, counted).
type Result struct {
	Groups   []Group
	Matched  int // incidents in range and category
	Excluded int // of those, left out for missing stamps
}

// Run answers q over the history plus extra records (recent live
// incidents), which need not be sorted.
func (ix *Index) Run(q Query, extra []tracking.HistoryRecord) (Result, error) {
	if err := q.Validate(); err != nil {
		return Result{}, err
	}
	values := map[string][]float64{}
	var res Result
	ix.mu.RLock()
	lo, hi := 0, len(ix.rows)
	if !q.From.IsZero() {
		from := q.From.UnixMilli()
		lo = sort.Search(len(ix.rows), func(i int) bool { return ix.rows[i].received >= from })
	}
	if !q.To.IsZero() {
		to := q.To.UnixMilli()
		hi = sort.Search(len(ix.rows), func(i int) bool { return ix.rows[i].received >= to })
	}
	cat, catKnown := ix.names.byName[string(q.Category)]
	if q.Category == "" || catKnown {
		keys := map[h3.Cell]string{} // cell → its string, computed once
		for _, r := range ix.rows[lo:max(lo, hi)] {
			if q.Category != "" && r.cat != cat {
				continue
			}
			res.Matched++
			v, ok := r.segment(q.Segment)
			if !ok {
				res.Excluded++
				continue
			}
			k := ix.key(r, q, keys)
			values[k] = append(values[k], v)
		}
	}
	ix.mu.RUnlock()
	for _, r := range extra {
		if (q.Category != "" && r.Category != q.Category) || (!q.From.IsZero() && r.ReceivedAt.Before(q.From)) || (!q.To.IsZero() && !r.ReceivedAt.Before(q.To)) {
			continue
		}
		res.Matched++
		x := row{received: r.ReceivedAt.UnixMilli(), dispatched: ms(r.DispatchedAt), onScene: ms(r.OnSceneAt)}
		v, ok := x.segment(q.Segment)
		if !ok {
			res.Excluded++
			continue
		}
		var k string
		switch q.By {
		case ByKecamatan:
			k = r.KecamatanCode
		case ByKelurahan:
			k = r.KelurahanCode
		default:
			k = h3.LatLngToCell(h3.NewLatLng(r.Lat, r.Lon), q.Res).String()
		}
		values[k] = append(values[k], v)
	}
	for k, vs := range values {
		res.Groups = append(res.Groups, Group{Key: k, Summary: Summarize(vs)})
	}
	slices.SortFunc(res.Groups, func(a, b Group) int {
		if a.Key < b.Key {
			return -1
		}
		if a.Key > b.Key {
			return 1
		}
		return 0
	})
	return res, nil
}

// key is r's group. Caller holds the read lock.
func (ix *Index) key(r row, q Query, cache map[h3.Cell]string) string {
	switch q.By {
	case ByKecamatan:
		return ix.names.list[r.kec]
	case ByKelurahan:
		return ix.names.list[r.kel]
	}
	var c h3.Cell
	if i := slices.Index(KeptRes[:], q.Res); i >= 0 {
		c = r.cells[i]
	} else {
		c = h3.LatLngToCell(h3.NewLatLng(r.lat, r.lon), q.Res)
	}
	if k, ok := cache[c]; ok {
		return k
	}
	k := c.String()
	cache[c] = k
	return k
}

// segment is the span q measures, in seconds, if both stamps are there.
func (r row) segment(s Segment) (float64, bool) {
	var a, b int64
	switch s {
	case SegmentResponse:
		a, b = r.received, r.onScene
	case SegmentCallProcessing:
		a, b = r.received, r.dispatched
	case SegmentTravel:
		a, b = r.dispatched, r.onScene
	}
	if a == 0 || b == 0 {
		return 0, false
	}
	return float64(b-a) / 1000, true
}

// FromIncident makes a history record of a live incident.
func FromIncident(in tracking.Incident) tracking.HistoryRecord {
	return tracking.HistoryRecord{
		ID: in.ID, Category: in.Category, Lat: in.Lat, Lon: in.Lon,
		KecamatanCode: in.Kecamatan.Code, KelurahanCode: in.Kelurahan.Code,
		ReceivedAt: in.ReceivedAt, DispatchedAt: in.DispatchedAt, OnSceneAt: in.OnSceneAt, ClosedAt: in.ClosedAt,
	}
}

// Querier answers queries elsewhere (in the database, filters pushed into
// SQL); CanRun says which.
type Querier interface {
	CanRun(q Query) bool
	Run(ctx context.Context, q Query) (Result, error)
}
