// Package httpingest brings telemetry in over HTTP: the OwnTracks apps in
// HTTP mode (POST /pub on the web port) and the OsmAnd protocol that Traccar
// Client and most hardware trackers speak (on a listener of its own, by
// default Traccar's port 5055). A tracker is answered 200 only when what it
// sent was applied; every refusal gets a status the client understands and
// is counted by reason.
package httpingest
