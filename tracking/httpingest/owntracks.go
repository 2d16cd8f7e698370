package httpingest

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"siaga112/tracking"
	"siaga112/tracking/owntracks"
)

// OwnTracks serves the apps' HTTP mode: mount it at POST /pub on the web
// port. The app signs in with Basic auth as the unit (user = unit id,
// password = the unit's device secret) and posts one JSON payload; it reads
// the answer as a JSON array of commands, so success is 200 "[]".
//
// The app keeps a message the server refuses at the head of its queue and
// resends it before anything newer, for ever: a payload refused for what it
// holds (a time ahead, lat 0/lon 0, one that does not decrypt or decode, or
// too large) is therefore answered 200 [] too, and counted and logged as
// refused. 401, 405 and 429 stay: the app must change or wait.
func (in *Ingest) OwnTracks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.c.requests[protoIx(ProtoOwnTracks)].Add(1)
		kind, ref := in.ownTracks(w, r)
		if ref != nil {
			in.refuse(w, r, ProtoOwnTracks, ref)
			return
		}
		in.accepted(ProtoOwnTracks, kind)
		answerOwnTracks(w)
	})
}

// answerOwnTracks is the apps' "done": an empty list of commands.
func answerOwnTracks(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = io.WriteString(w, "[]")
}

// dropped marks a refusal for what the payload holds: answered 200 [].
func dropped(ref *refusal) *refusal {
	if ref != nil {
		ref.drop = true
	}
	return ref
}

func (in *Ingest) ownTracks(w http.ResponseWriter, r *http.Request) (string, *refusal) {
	if r.Method != http.MethodPost {
		return "", &refusal{status: http.StatusMethodNotAllowed, reason: ReasonMethod, detail: "OwnTracks HTTP mode posts JSON: use POST"}
	}
	unit, pass, ok := r.BasicAuth()
	if !ok || unit == "" {
		return "", &refusal{status: http.StatusUnauthorized, reason: ReasonUnauthorized, detail: "sign in with Basic auth: user = unit id, password = the unit's device secret"}
	}
	if _, ok := in.cfg.Devices.CheckDevice(unit, pass); !ok {
		return "", &refusal{status: http.StatusUnauthorized, reason: ReasonUnauthorized, detail: "unknown unit or wrong password"}
	}
	// The app names its user and device in X-Limit-U/X-Limit-D. The user
	// must be the signed-in unit; the device name (a phone model by
	// default) is free.
	if u := r.Header.Get("X-Limit-U"); u != "" && u != unit {
		return "", &refusal{status: http.StatusBadRequest, reason: ReasonBadHeader, detail: "X-Limit-U " + strconv.Quote(tracking.CleanLabel(u, 64)) + " is not the signed-in unit; set the app's username to the unit id"}
	}
	if !in.limit.allow(unit) {
		return "", &refusal{status: http.StatusTooManyRequests, reason: ReasonRateLimited, detail: "too many requests from this unit; slow down"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, owntracks.MaxPayload))
	if err != nil {
		if tooLarge(err) {
			return "", dropped(&refusal{status: http.StatusRequestEntityTooLarge, reason: ReasonTooLarge, detail: "payload is larger than " + strconv.Itoa(owntracks.MaxPayload) + " bytes"})
		}
		return "", &refusal{status: http.StatusBadRequest, reason: ReasonNotJSON, detail: "could not read the body"}
	}
	var secret []byte
	if in.cfg.Secrets != nil {
		secret = in.cfg.Secrets.OwnTracksSecret(unit)
	}
	m, err := owntracks.Decode(body, in.cfg.Now(), secret)
	if err != nil {
		var rf *owntracks.RefusedError
		if errors.As(err, &rf) {
			return "", dropped(&refusal{status: http.StatusBadRequest, reason: Reason(rf.Reason), detail: rf.Detail})
		}
		return "", dropped(&refusal{status: http.StatusBadRequest, reason: ReasonNotJSON, detail: err.Error()})
	}
	switch m.Kind {
	case owntracks.KindLocation:
		return kindFix, contentDropped(in.applyFix(unit, m.Location))
	case owntracks.KindTransition:
		e := m.Transition
		e.UnitID = unit
		return kindTransition, contentDropped(fleetRefusal(in.cfg.Fleet.RecordRegionEvent(e)))
	}
	// Waypoints, status, cards… and a last will (which HTTP mode never
	// sends): acknowledged, not used.
	return kindIgnored, nil
}

// contentDropped drops a fleet refusal of the fix itself (invalid, outside
// the area); a gone unit (404) and a failing fleet (503) stay.
func contentDropped(ref *refusal) *refusal {
	if ref != nil && ref.reason == ReasonRefusedFix {
		ref.drop = true
	}
	return ref
}
