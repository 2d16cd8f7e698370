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
func (in *Ingest) OwnTracks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in.c.requests[protoIx(ProtoOwnTracks)].Add(1)
		kind, ref := in.ownTracks(w, r)
		if ref != nil {
			in.refuse(w, r, ProtoOwnTracks, ref)
			return
		}
		in.accepted(ProtoOwnTracks, kind)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		_, _ = io.WriteString(w, "[]")
	})
}

func (in *Ingest) ownTracks(w http.ResponseWriter, r *http.Request) (string, *refusal) {
	if r.Method != http.MethodPost {
		return "", &refusal{http.StatusMethodNotAllowed, ReasonMethod, "OwnTracks HTTP mode posts JSON: use POST"}
	}
	unit, pass, ok := r.BasicAuth()
	if !ok || unit == "" {
		return "", &refusal{http.StatusUnauthorized, ReasonUnauthorized, "sign in with Basic auth: user = unit id, password = the unit's device secret"}
	}
	if _, ok := in.cfg.Devices.CheckDevice(unit, pass); !ok {
		return "", &refusal{http.StatusUnauthorized, ReasonUnauthorized, "unknown unit or wrong password"}
	}
	// The app names its user and device in X-Limit-U/X-Limit-D. The user
	// must be the signed-in unit; the device name (a phone model by
	// default) is free.
	if u := r.Header.Get("X-Limit-U"); u != "" && u != unit {
		return "", &refusal{http.StatusBadRequest, ReasonBadHeader, "X-Limit-U " + strconv.Quote(tracking.CleanLabel(u, 64)) + " is not the signed-in unit; set the app's username to the unit id"}
	}
	if !in.limit.allow(unit) {
		return "", &refusal{http.StatusTooManyRequests, ReasonRateLimited, "too many requests from this unit; slow down"}
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, owntracks.MaxPayload))
	if err != nil {
		if tooLarge(err) {
			return "", &refusal{http.StatusRequestEntityTooLarge, ReasonTooLarge, "payload is larger than " + strconv.Itoa(owntracks.MaxPayload) + " bytes"}
		}
		return "", &refusal{http.StatusBadRequest, ReasonNotJSON, "could not read the body"}
	}
	var secret []byte
	if in.cfg.Secrets != nil {
		secret = in.cfg.Secrets.OwnTracksSecret(unit)
	}
	m, err := owntracks.Decode(body, in.cfg.Now(), secret)
	if err != nil {
		var rf *owntracks.RefusedError
		if errors.As(err, &rf) {
			status := http.StatusBadRequest
			if rf.Reason == owntracks.ReasonTooLarge {
				status = http.StatusRequestEntityTooLarge
			}
			return "", &refusal{status, Reason(rf.Reason), rf.Detail}
		}
		return "", &refusal{http.StatusBadRequest, ReasonNotJSON, err.Error()}
	}
	switch m.Kind {
	case owntracks.KindLocation:
		return kindFix, in.applyFix(unit, m.Location)
	case owntracks.KindTransition:
		e := m.Transition
		e.UnitID = unit
		return kindTransition, fleetRefusal(in.cfg.Fleet.RecordRegionEvent(e))
	}
	// Waypoints, status, cards… and a last will (which HTTP mode never
	// sends): acknowledged, not used.
	return kindIgnored, nil
}
