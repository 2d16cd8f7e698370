package tracking

import (
	"context"
	"time"
)

// CallOutcome is what a call to 112 turned out to be.
type CallOutcome string

const (
	CallEmergency   CallOutcome = "emergency"
	CallInformation CallOutcome = "information"
	CallPrank       CallOutcome = "prank"
	CallGhost       CallOutcome = "ghost" // silent: nobody spoke
	CallDuplicate   CallOutcome = "duplicate"
)

// CallOutcomes lists the outcomes.
var CallOutcomes = []CallOutcome{CallEmergency, CallInformation, CallPrank, CallGhost, CallDuplicate}

// ParseCallOutcome validates an outcome.
func ParseCallOutcome(s string) (CallOutcome, error) {
	for _, o := range CallOutcomes {
		if string(o) == s {
			return o, nil
		}
	}
	return "", Errorf(CodeInvalid, "call outcome %q must be emergency, information, prank, ghost or duplicate", truncate(s, 20))
}

// Regulated reports whether the outcome counts toward the block policy:
// prank and ghost calls both do.
func (o CallOutcome) Regulated() bool { return o == CallPrank || o == CallGhost }

// Call is one call to the centre, logged with its outcome.
type Call struct {
	ID         string      `json:"id"`
	At         time.Time   `json:"at"`
	Number     string      `json:"number"`
	Outcome    CallOutcome `json:"outcome"`
	IncidentID string      `json:"incident_id,omitempty"`
	Note       string      `json:"note,omitempty"`
	By         string      `json:"by"`
	// CallID, when set, is the phone system's call this entry classifies
	// (POST /api/calls with "call_id"): listed as that call's outcome.
	CallID string `json:"call_id,omitempty"`
}

// CallQuery selects logged calls: [From, To), one number ("" any), at most
// Limit (0: all).
type CallQuery struct {
	From, To time.Time
	Number   string
	Limit    int
}

// Match reports whether c is selected by q.
func (q CallQuery) Match(c Call) bool {
	return (q.From.IsZero() || !c.At.Before(q.From)) && (q.To.IsZero() || c.At.Before(q.To)) && (q.Number == "" || q.Number == c.Number)
}

// CallLog reads the logged calls, oldest first (writes go through Change).
type CallLog interface {
	Calls(ctx context.Context, q CallQuery) ([]Call, error)
}
