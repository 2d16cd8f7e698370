// Package lograte lets one log line per key through per interval and
// counts the rest, so that a flood of hostile input cannot flood the log.
// The ingest adapters (MQTT, HTTP) share it; keys must come from a bounded
// set (reasons, protocols), never from the input itself.
package lograte

import (
	"sync"
	"time"
)

// Limiter is safe for concurrent use.
type Limiter struct {
	every time.Duration
	mu    sync.Mutex
	last  map[string]time.Time
	held  map[string]int
}

// New lets one line per key through every interval.
func New(every time.Duration) *Limiter {
	return &Limiter{every: every, last: map[string]time.Time{}, held: map[string]int{}}
}

// Allow reports whether to log now, and how many lines were held back for
// this key since the last one let through.
func (l *Limiter) Allow(key string) (held int, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	if now.Sub(l.last[key]) < l.every {
		l.held[key]++
		return 0, false
	}
	n := l.held[key]
	l.last[key], l.held[key] = now, 0
	return n, true
}
