package roads

// minHeap is a binary heap of (key, value) by key, smallest first. The
// searches push duplicates rather than decrease keys, and skip the stale.
type minHeap[K float32 | float64] struct {
	keys []K
	vals []int32
}

func (h *minHeap[K]) Len() int { return len(h.keys) }

func (h *minHeap[K]) reset() { h.keys, h.vals = h.keys[:0], h.vals[:0] }

func (h *minHeap[K]) push(k K, v int32) {
	h.keys = append(h.keys, k)
	h.vals = append(h.vals, v)
	i := len(h.keys) - 1
	for i > 0 {
		p := (i - 1) / 2
		if h.keys[p] <= k {
			break
		}
		h.keys[i], h.vals[i] = h.keys[p], h.vals[p]
		i = p
	}
	h.keys[i], h.vals[i] = k, v
}

func (h *minHeap[K]) peek() (K, int32) { return h.keys[0], h.vals[0] }

func (h *minHeap[K]) pop() (K, int32) {
	k, v := h.keys[0], h.vals[0]
	n := len(h.keys) - 1
	lk, lv := h.keys[n], h.vals[n]
	h.keys, h.vals = h.keys[:n], h.vals[:n]
	if n == 0 {
		return k, v
	}
	i := 0
	for {
		c := 2*i + 1
		if c >= n {
			break
		}
		if c+1 < n && h.keys[c+1] < h.keys[c] {
			c++
		}
		if h.keys[c] >= lk {
			break
		}
		h.keys[i], h.vals[i] = h.keys[c], h.vals[c]
		i = c
	}
	h.keys[i], h.vals[i] = lk, lv
	return k, v
}
