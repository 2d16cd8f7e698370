package dispatch

import (
	"siaga112/tracking"
	"siaga112/tracking/fleet"
)

// leadActs tells whether a dispatch is the lead agency acting: one of its
// own units is sent. Another agency's unit (a dinkes ambulance at a
// damkar-led fire) leaves the lead's SOP clock running (issue 26 item 9).
func leadActs(in *tracking.Incident, taken []fleet.Reserved) bool {
	for _, r := range taken {
		if r.Unit.Agency == in.LeadAgency {
			return true
		}
	}
	return false
}
