package owntracks

import "siaga112/tracking"

// Reason says why a payload was refused. The set is closed; each is a
// metric label.
type Reason string

const (
	ReasonTooLarge     Reason = "too_large"     // payload over MaxPayload bytes
	ReasonNotJSON      Reason = "not_json"      // not a JSON document
	ReasonWrongType    Reason = "wrong_type"    // not an object, or a field we need has the wrong JSON type
	ReasonMissingField Reason = "missing_field" // lat, lon, tst, event or data absent
	ReasonOutOfRange   Reason = "out_of_range"  // lat/lon outside WGS 84, or a time that is not one
	ReasonNullIsland   Reason = "null_island"   // lat 0, lon 0
	ReasonFuture       Reason = "future"        // fix more than 5 minutes ahead of the server clock
	ReasonBadEvent     Reason = "bad_event"     // a transition neither "enter" nor "leave"
	ReasonNoSecret     Reason = "no_secret"     // encrypted, but the unit has no secret set
	ReasonDecrypt      Reason = "decrypt"       // encrypted data that does not open with the unit's secret
)

// Reasons lists every refusal reason, so metrics can show zeros.
var Reasons = []Reason{ReasonTooLarge, ReasonNotJSON, ReasonWrongType, ReasonMissingField, ReasonOutOfRange,
	ReasonNullIsland, ReasonFuture, ReasonBadEvent, ReasonNoSecret, ReasonDecrypt}

// RefusedError is a refused payload: the reason and a sentence for the log
// (and for an HTTP client's 400).
type RefusedError struct {
	Reason Reason
	Detail string
}

func (e *RefusedError) Error() string { return string(e.Reason) + ": " + e.Detail }

func refuse(r Reason, detail string) error { return &RefusedError{Reason: r, Detail: detail} }

func fixRefusal(p tracking.FixProblem, detail string) error {
	switch p {
	case tracking.FixNullIsland:
		return refuse(ReasonNullIsland, detail)
	case tracking.FixFuture:
		return refuse(ReasonFuture, detail)
	}
	return refuse(ReasonOutOfRange, detail)
}
