package tracking

import "time"

// PositionMethod is how a caller's phone found its position.
type PositionMethod string

const (
	MethodGNSS    PositionMethod = "gnss" // satellites (GPS, Galileo, …)
	MethodWiFi    PositionMethod = "wifi"
	MethodCell    PositionMethod = "cell"
	MethodUnknown PositionMethod = "unknown" // fused, or not said
)

// LocationSource is the channel a caller location came by.
type LocationSource string

const (
	// SourceAMLSMS: Advanced Mobile Location by SMS (ETSI TS 103 625).
	SourceAMLSMS LocationSource = "aml-sms"
	// SourceAMLHTTPS: the same data set posted over HTTPS by the phone.
	SourceAMLHTTPS LocationSource = "aml-https"
)

// CallerLocationMaxAge is how long a caller's location is offered to the
// call-taker: the newest fix of the last 24 hours.
const CallerLocationMaxAge = 24 * time.Hour

// CallerLocation is where a caller's phone said it was, sent by the phone
// itself while calling 112 (AML).
type CallerLocation struct {
	Number string  `json:"number"` // canonical (NormalizePhone)
	Lat    float64 `json:"lat"`
	Lon    float64 `json:"lon"`
	// RadiusM is the radius, in metres, of the circle the phone is in (at
	// the phone's confidence).
	RadiusM float64        `json:"radius_m"`
	Source  LocationSource `json:"source"`
	Method  PositionMethod `json:"method"`
	// ConfidencePct is the probability, in percent, that the phone is
	// inside the circle; nil when not said.
	ConfidencePct *int `json:"confidence_pct"`
	// At is the time of the fix, or the time of receipt when the message
	// gives none.
	At         time.Time `json:"at"`
	ReceivedAt time.Time `json:"received_at"`
}

// Fresh reports whether the location is recent enough to be offered at
// now (its fix at most CallerLocationMaxAge old, by receipt when the fix
// time lies in the future).
func (l CallerLocation) Fresh(now time.Time) bool {
	at := l.At
	if at.After(l.ReceivedAt) {
		at = l.ReceivedAt
	}
	return now.Sub(at) <= CallerLocationMaxAge
}

// Newer reports whether l is a newer fix than o: by fix time, then by
// receipt.
func (l CallerLocation) Newer(o CallerLocation) bool {
	if !l.At.Equal(o.At) {
		return l.At.After(o.At)
	}
	return l.ReceivedAt.After(o.ReceivedAt)
}

// NewestCallerLocation picks, among one number's locations, the newest
// fresh one at now.
func NewestCallerLocation(ls []CallerLocation, now time.Time) (CallerLocation, bool) {
	var best CallerLocation
	found := false
	for _, l := range ls {
		if l.Fresh(now) && (!found || l.Newer(best)) {
			best, found = l, true
		}
	}
	return best, found
}
