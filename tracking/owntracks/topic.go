package owntracks

import "strings"

// Topic is an OwnTracks MQTT topic split into its parts: the apps publish
// to owntracks/<user>/<device> (Android's default; iOS's too) and to
// subtopics of it: /event (transitions), /waypoint, /waypoints, /status,
// /info (card), /cmd, /step, /beacon, /dump.
type Topic struct {
	User, Device string
	Sub          string // "" on the main topic; "event", "waypoints", "a/b" for deeper ones
}

// ParseTopic splits an OwnTracks topic; ok is false for any other topic
// or an empty part. It does not validate the parts as unit ids: the
// caller decides whether the topic or the signed-in user names the unit.
func ParseTopic(topic string) (Topic, bool) {
	rest, ok := strings.CutPrefix(topic, "owntracks/")
	if !ok {
		return Topic{}, false
	}
	parts := strings.SplitN(rest, "/", 3)
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Topic{}, false
	}
	t := Topic{User: parts[0], Device: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return Topic{}, false
		}
		t.Sub = parts[2]
	}
	return t, true
}
