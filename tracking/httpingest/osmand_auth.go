package httpingest

import (
	"net/http"
	"net/url"
	"strconv"

	"siaga112/tracking"
)

// MaxKeyLen caps an OsmAnd key (a device password is 32 characters).
const MaxKeyLen = 200

// unknownHash stands in for the hash of a unit that does not exist, so that
// an unknown tracker id costs the same check as a wrong key.
const unknownHash = "sha256:0000000000000000000000000000000000000000000000000000000000000000"

// authenticate names the unit an OsmAnd request comes from: the unit whose
// tracker_id the request carries, proven by that unit's device password —
// `key` in the query or form, or HTTP Basic with user = the unit id or the
// tracker id. A missing or wrong key, an unknown id and a Basic user naming
// something else are the same 401, so ids cannot be told apart by the
// answer. With Keyless, a request without any key is taken by its id alone
// (a key it does send must still be right). Everything is answered from
// memory.
func (in *Ingest) authenticate(r *http.Request, v url.Values, trackerID string) (string, *refusal) {
	_, key, hasKey := first(v, "key")
	user, pass, basic := r.BasicAuth()
	if !hasKey && basic {
		key, hasKey = pass, pass != ""
	}
	if len(key) > MaxKeyLen {
		return "", &refusal{status: http.StatusBadRequest, reason: ReasonBadParam, detail: "key: longer than " + strconv.Itoa(MaxKeyLen) + " bytes"}
	}
	unit, known := in.cfg.Trackers.UnitByTrackerID(trackerID)
	if basic && user != trackerID && (!known || user != unit) {
		return "", unauthorized("the Basic auth user must be the unit id or its tracker id")
	}
	if !hasKey {
		switch {
		case in.cfg.Keyless && known:
			return unit, nil
		case in.cfg.Keyless:
			return "", unauthorized("unknown tracker id or wrong key")
		}
		return "", unauthorized("this server needs the unit's device password: add key=<password> to the URL (or the form), or use Basic auth with user = the unit id or tracker id")
	}
	if !known {
		tracking.SecretMatches(unknownHash, key) // the same work as a wrong key
		return "", unauthorized("unknown tracker id or wrong key")
	}
	if _, ok := in.cfg.Devices.CheckDevice(unit, key); !ok {
		return "", unauthorized("unknown tracker id or wrong key")
	}
	return unit, nil
}

func unauthorized(detail string) *refusal {
	return &refusal{status: http.StatusUnauthorized, reason: ReasonUnauthorized, detail: detail}
}
