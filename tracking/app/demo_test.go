package app

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/paulmach/orb"

	"siaga112/tracking"
	"siaga112/tracking/sim"
)

// The demo's vehicles answer dispatches: sent to the incident, parked there,
// back on their rounds when cleared, but not released by an old incident
// once sent to a new one.
func TestDemoFollowsDispatches(t *testing.T) {
	t0 := time.Now()
	f := sim.New(2, 9, t0)
	x := f.Vehicles[0]
	bus := tracking.NewBus()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go followDispatches(ctx, bus, f)
	for bus.Subscribers() == 0 {
		time.Sleep(time.Millisecond)
	}
	sceneA, sceneB := orb.Point{106.177791, -6.110699}, orb.Point{106.185147, -6.059083}
	incident := func(id string, p orb.Point, st tracking.IncidentStatus, as tracking.AssignmentStatus) {
		bus.Publish(tracking.Event{Kind: "incident", Incident: &tracking.Incident{ID: id, Lon: p[0], Lat: p[1], Status: st,
			Assignments: []tracking.Assignment{{UnitID: x.Reg.ID, Status: as}}}})
	}
	steps := 0
	parkedAt := func(want orb.Point) bool {
		var p tracking.Position
		for range 200 {
			steps++
			p = f.Step(x, t0.Add(time.Duration(steps)*time.Minute))
		}
		return orb.Point{p.Lon, p.Lat} == want && p.SpeedKmh.Or(0) == 0
	}
	incident("A", sceneA, tracking.IncidentOpen, tracking.AssignDispatched)
	deadline := time.Now().Add(5 * time.Second)
	for !parkedAt(sceneA) {
		if time.Now().After(deadline) {
			t.Fatal("not sent to incident A")
		}
	}
	incident("A", sceneA, tracking.IncidentOpen, tracking.AssignCleared)
	incident("B", sceneB, tracking.IncidentOpen, tracking.AssignDispatched)
	incident("A", sceneA, tracking.IncidentClosed, tracking.AssignCleared) // late news of A
	for !parkedAt(sceneB) {
		if time.Now().After(deadline) {
			t.Fatal("an old incident released the vehicle sent to B")
		}
	}
}

// Only a loopback listener gets the "how to open it" line.
func TestLoopback(t *testing.T) {
	for _, tc := range []struct {
		name string
		addr net.Addr
		want bool
	}{
		{"127.0.0.1", &net.TCPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 8080}, true},
		{"::1", &net.TCPAddr{IP: net.IPv6loopback, Port: 8080}, true},
		{"every interface", &net.TCPAddr{IP: net.IPv4zero, Port: 8080}, false},
		{"a LAN address", &net.TCPAddr{IP: net.IPv4(192, 168, 1, 10), Port: 8080}, false},
	} {
		if got := loopback(tc.addr); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
