package webhook

import (
	"siaga112/tracking"
)

// busEvents maps a bus event (kind, action) to the webhook event it is.
// The deadline and caller actions are published by the components that
// decide them (the deadline clock, the prank policy).
var busEvents = map[[2]string]tracking.WebhookEvent{
	{"incident", "created"}:          tracking.EventIncidentCreated,
	{"incident", "dispatched"}:       tracking.EventIncidentDispatched,
	{"incident", "deadline_warning"}: tracking.EventIncidentDeadlineWarning,
	{"incident", "overdue"}:          tracking.EventIncidentOverdue,
	{"incident", "closed"}:           tracking.EventIncidentClosed,
	{"caller", "blocked"}:            tracking.EventCallerBlocked,
	{"caller", "proposed"}:           tracking.EventCallerProposed,
}

// FromBus says which webhook event a bus event is, and its payload. Callers'
// numbers leave the centre masked to their last 4 digits: the receivers are
// outside systems (gateways, dashboards) that need the case, not the number.
func FromBus(e tracking.Event) (tracking.WebhookEvent, any, bool) {
	name, ok := busEvents[[2]string{e.Kind, e.Action}]
	if !ok {
		return "", nil, false
	}
	switch {
	case e.Incident != nil:
		in := e.Incident.Clone()
		in.Caller = tracking.MaskPhone(in.Caller)
		return name, in, true
	case e.Caller != nil:
		c := e.Caller.Clone()
		c.Number = tracking.MaskPhone(c.Number)
		return name, c, true
	}
	return "", nil, false
}
