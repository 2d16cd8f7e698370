package basemap

import (
	"container/list"
	"sync"
)

// DefaultCacheBytes caps the encoded tiles a map keeps.
const DefaultCacheBytes = 64 << 20

// cache keeps recently served tiles, least recently used out first,
// within a byte budget.
type cache struct {
	mu    sync.Mutex
	max   int
	bytes int
	order *list.List // of *entry, most recent first
	byKey map[uint64]*list.Element
}

type entry struct {
	key  uint64
	tile Tile
}

func newCache(maxBytes int) *cache {
	if maxBytes <= 0 {
		maxBytes = DefaultCacheBytes
	}
	return &cache{max: maxBytes, order: list.New(), byKey: map[uint64]*list.Element{}}
}

func size(t Tile) int { return len(t.Data) + len(t.Gzip) + 64 }

func (c *cache) get(key uint64) (Tile, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byKey[key]
	if !ok {
		return Tile{}, false
	}
	c.order.MoveToFront(e)
	return e.Value.(*entry).tile, true
}

func (c *cache) put(key uint64, t Tile) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.byKey[key]; ok || size(t) > c.max {
		return
	}
	c.byKey[key] = c.order.PushFront(&entry{key, t})
	c.bytes += size(t)
	for c.bytes > c.max {
		last := c.order.Back()
		e := last.Value.(*entry)
		c.order.Remove(last)
		delete(c.byKey, e.key)
		c.bytes -= size(e.tile)
	}
}
