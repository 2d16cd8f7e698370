package owntracks

import (
	"time"

	"siaga112/tracking"
)

// Kind is what a decoded payload asks of the server.
type Kind int

const (
	// KindIgnored: a valid payload of a type the server does not use
	// (waypoints, status, card, cmd, steps, beacon, an unknown type).
	// Acknowledge it and discard it.
	KindIgnored Kind = iota
	KindLocation
	KindTransition
	KindLastWill
)

func (k Kind) String() string {
	switch k {
	case KindLocation:
		return "location"
	case KindTransition:
		return "transition"
	case KindLastWill:
		return "lwt"
	}
	return "ignored"
}

// Message is one decoded payload. Exactly the field its Kind names is set.
type Message struct {
	Kind Kind
	// Type is the payload's _type when the package knows it ("waypoints",
	// "card", …), "other" for an unknown or absent one: a bounded metric label.
	Type string
	// Encrypted: the payload came in an encrypted envelope and was opened.
	Encrypted bool

	Location   tracking.Fix         // KindLocation
	Transition tracking.RegionEvent // KindTransition; UnitID is left to the caller
	LastWill   LastWill             // KindLastWill
}

// LastWill is the broker telling that the app went away.
type LastWill struct {
	// ConnectedAt is the will's tst: when the app connected and set it (not
	// when it went away). Zero when absent.
	ConnectedAt time.Time
}

// knownTypes are the _type values of the OwnTracks JSON format, each
// mapped to itself so that typeLabel returns a string of its own rather
// than a copy of the parser's bytes.
var knownTypes = func() map[string]string {
	m := map[string]string{}
	for _, t := range []string{"location", "transition", "lwt", "encrypted",
		"waypoint", "waypoints", "status", "card", "cmd",
		"steps", "beacon", "request", "configuration", "dump"} {
		m[t] = t
	}
	return m
}()

func typeLabel(t []byte) string {
	if l, ok := knownTypes[string(t)]; ok {
		return l
	}
	return "other"
}
