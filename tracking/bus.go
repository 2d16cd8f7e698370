package tracking

import (
	"sync"
	"sync/atomic"
	"time"
)

// Event is one row of a published Change (or a unit's move), for the live
// map and other readers. Persistence does not read the bus: the store has
// the Change before it is published.
type Event struct {
	Kind   string    `json:"kind"`   // "unit", "incident", "assignment", "caller", "region"
	Action string    `json:"action"` // "registered", "moved", "status", "created", "dispatched", …
	At     time.Time `json:"at"`
	// Exactly one of these is set, by Kind.
	Unit     *Unit        `json:"unit,omitempty"`
	Incident *Incident    `json:"incident,omitempty"`
	Caller   *Caller      `json:"caller,omitempty"`
	Region   *RegionEvent `json:"region,omitempty"`
	// Kind "call": one event of the phone system (Action its kind);
	// Kind "location": a caller's position (AML). The live feed does not
	// draw them (yet); they are there for whoever follows the bus.
	Call     *CallEvent      `json:"call,omitempty"`
	Location *CallerLocation `json:"location,omitempty"`
}

// Bus fans events out to subscribers. Publishing never blocks: each
// subscriber has a bounded buffer, and one that lets it fill is dropped (its
// channel is closed) so a slow reader can never stall ingestion or dispatch.
type Bus struct {
	mu      sync.RWMutex
	subs    map[*Subscription]struct{}
	dropped atomic.Uint64
}

// Subscription is one reader of the bus.
type Subscription struct {
	C     <-chan Event // closed when the subscriber is dropped or leaves
	c     chan Event
	kinds map[string]bool // nil: every kind
}

// NewBus returns an empty bus.
func NewBus() *Bus { return &Bus{subs: map[*Subscription]struct{}{}} }

// Subscribe registers a reader with room for buffer events.
func (b *Bus) Subscribe(buffer int) *Subscription { return b.subscribe(buffer, nil) }

func (b *Bus) subscribe(buffer int, kinds map[string]bool) *Subscription {
	c := make(chan Event, max(1, buffer))
	s := &Subscription{C: c, c: c, kinds: kinds}
	b.mu.Lock()
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s
}

// SubscribeKinds registers a reader of the events of the given kinds only:
// the fixes of a busy fleet ("unit", thousands a second) then never fill
// the buffer of a reader that follows incidents or callers.
func (b *Bus) SubscribeKinds(buffer int, kinds ...string) *Subscription {
	only := map[string]bool{}
	for _, k := range kinds {
		only[k] = true
	}
	return b.subscribe(buffer, only)
}

// Unsubscribe removes a reader and closes its channel.
func (b *Bus) Unsubscribe(s *Subscription) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.remove(s)
}

func (b *Bus) remove(s *Subscription) {
	if _, ok := b.subs[s]; ok {
		delete(b.subs, s)
		close(s.c)
	}
}

// Publish hands e to every subscriber that has room, and drops those that
// have none.
func (b *Bus) Publish(e Event) {
	b.mu.RLock()
	var slow []*Subscription
	for s := range b.subs {
		if s.kinds != nil && !s.kinds[e.Kind] {
			continue
		}
		select {
		case s.c <- e:
		default:
			slow = append(slow, s)
		}
	}
	b.mu.RUnlock()
	if len(slow) == 0 {
		return
	}
	b.mu.Lock()
	for _, s := range slow {
		b.remove(s)
		b.dropped.Add(1)
	}
	b.mu.Unlock()
}

// Dropped counts subscribers dropped for being slow.
func (b *Bus) Dropped() uint64 { return b.dropped.Load() }

// Subscribers is the number of current subscribers.
func (b *Bus) Subscribers() int {
	b.mu.RLock()
	defer b.mu.RUnlock()
	return len(b.subs)
}
