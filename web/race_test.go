//go:build race

package web

// raceEnabled: the race detector slows every goroutine several times; the
// tests that hold hundreds of connections hold fewer under it.
const raceEnabled = true
