package httpingest

import (
	"time"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

// Reason says why a request was refused. The set is closed (the OwnTracks
// codec's reasons and these); each is a metric label.
type Reason string

const (
	ReasonMethod       Reason = "method"        // not a method the protocol uses (405)
	ReasonUnauthorized Reason = "unauthorized"  // no or wrong key or Basic credentials, or an unknown tracker id (401)
	ReasonBadHeader    Reason = "bad_header"    // X-Limit-U names another unit (400)
	ReasonTooLarge     Reason = "too_large"     // body over the cap (413)
	ReasonMissingParam Reason = "missing_param" // id, lat or lon absent (400)
	ReasonBadParam     Reason = "bad_param"     // a parameter that does not parse (400)
	ReasonNotJSON      Reason = "not_json"      // a JSON body that is not JSON of the expected shape (400)
	ReasonUnknownID    Reason = "unknown_id"    // no unit has this tracker id, or the unit is gone (404)
	ReasonRateLimited  Reason = "rate_limited"  // the tracker sends faster than its limit (429)
	ReasonThrottled    Reason = "throttled"     // too many wrong keys from this address lately (429)
	ReasonRefusedFix   Reason = "refused_fix"   // the fleet refused the fix as invalid (400)
	ReasonUnavailable  Reason = "unavailable"   // the fleet failed; retry (503)
	ReasonNullIsland   Reason = Reason(tracking.FixNullIsland)
	ReasonFuture       Reason = Reason(tracking.FixFuture)
	ReasonOutOfRange   Reason = Reason(tracking.FixOutOfRange)
)

// Reasons lists every reason, so metrics show zeros too.
var Reasons = func() []Reason {
	rs := []Reason{ReasonMethod, ReasonUnauthorized, ReasonBadHeader, ReasonTooLarge, ReasonMissingParam,
		ReasonBadParam, ReasonNotJSON, ReasonUnknownID, ReasonRateLimited, ReasonThrottled, ReasonRefusedFix, ReasonUnavailable}
	seen := map[Reason]bool{}
	for _, r := range rs {
		seen[r] = true
	}
	for _, r := range append([]Reason{ReasonNullIsland, ReasonFuture, ReasonOutOfRange}, codecReasons()...) {
		if !seen[r] {
			seen[r] = true
			rs = append(rs, r)
		}
	}
	return rs
}()

func codecReasons() []Reason {
	rs := make([]Reason, len(owntracks.Reasons))
	for i, r := range owntracks.Reasons {
		rs[i] = Reason(r)
	}
	return rs
}

// refusal is a refused request: the status, the reason and a sentence for
// the client.
type refusal struct {
	status int
	reason Reason
	detail string
	// retryAfter is a 429's wait; 0: the unit's rate says it.
	retryAfter time.Duration
	// drop: answered as if applied (OwnTracks' 200 []), so that the app
	// forgets a message it would otherwise resend ahead of every newer one.
	drop bool
}

func (r *refusal) Error() string { return string(r.reason) + ": " + r.detail }
