package mqtt

import (
	"encoding/json"
	"errors"
	"strings"
	"time"

	"siaga112/tracking"
)

// Topic filters the ingest subscribes to: OwnTracks main topics, their
// /event subtopic (transitions), and crew status. Other OwnTracks
// subtopics (/waypoint, /waypoints, /status, /info, …) are accepted by the
// broker and reach no one: acknowledged and discarded.
const (
	LocationTopics = "owntracks/+/+"
	EventTopics    = "owntracks/+/+/event"
	StatusTopics   = "siaga112/units/+/status"
)

// Topics are every filter the ingest subscribes to.
var Topics = []string{LocationTopics, EventTopics, StatusTopics}

// LocationTopic is the topic a unit's tracker publishes fixes to.
func LocationTopic(agency, unitID string) string { return "owntracks/" + agency + "/" + unitID }

// EventTopic is the topic a unit's OwnTracks app publishes transitions to.
func EventTopic(agency, unitID string) string { return LocationTopic(agency, unitID) + "/event" }

// StatusTopic is the topic a unit's crew publishes status to.
func StatusTopic(unitID string) string { return "siaga112/units/" + unitID + "/status" }

// MaxStatusAhead is how far ahead of the server's clock a crew status may
// be stamped (the crew app's clock, unlike a phone's GPS time, is ours).
const MaxStatusAhead = 5 * time.Minute

// statusUnit returns the unit of a status topic.
func statusUnit(topic string) (string, bool) {
	rest, ok := strings.CutPrefix(topic, "siaga112/units/")
	if !ok {
		return "", false
	}
	unit, ok := strings.CutSuffix(rest, "/status")
	return unit, ok && !strings.Contains(unit, "/")
}

// decodeStatus reads a crew status payload {"status": "...", "tst": epoch}.
func decodeStatus(payload []byte, now time.Time) (tracking.Status, time.Time, error) {
	if len(payload) > MaxPayload {
		return "", time.Time{}, drop(ReasonTooLarge, "payload is too large")
	}
	var w struct {
		Status *string  `json:"status"`
		Tst    *float64 `json:"tst"`
	}
	if err := json.Unmarshal(payload, &w); err != nil {
		var typeErr *json.UnmarshalTypeError
		if errors.As(err, &typeErr) {
			return "", time.Time{}, drop(ReasonWrongType, "field "+quote(typeErr.Field)+" is a JSON "+typeErr.Value)
		}
		return "", time.Time{}, drop(ReasonNotJSON, "payload is not JSON: "+err.Error())
	}
	if w.Status == nil {
		return "", time.Time{}, drop(ReasonMissingField, "a status message needs \"status\"")
	}
	st, err := tracking.ParseStatus(*w.Status)
	if err != nil {
		return "", time.Time{}, drop(ReasonBadStatus, err.Error())
	}
	at := now
	if w.Tst != nil {
		var ok bool
		if at, ok = tracking.EpochSeconds(*w.Tst); !ok {
			return "", time.Time{}, drop(ReasonOutOfRange, "tst is not a time in epoch seconds")
		}
		if at.Sub(now) > MaxStatusAhead {
			return "", time.Time{}, drop(ReasonFuture, "status time is more than 5 min ahead of the server clock")
		}
	}
	return st, at, nil
}
