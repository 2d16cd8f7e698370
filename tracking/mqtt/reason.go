// Package mqtt brings telemetry into the fleet over MQTT: OwnTracks
// locations, transitions, encrypted payloads and Last Wills (decoded by
// tracking/owntracks) and crew status, through an eclipse/paho.mqtt.golang
// client, and an embedded mochi-mqtt broker for the default run.
package mqtt

import (
	"strings"

	"siaga112/tracking/owntracks"
)

// Reason says why a message was dropped. Each is a metric label. The
// OwnTracks codec's reasons (owntracks.Reasons) are used as they are; the
// ingest adds those about topics, status and the fleet.
type Reason string

const (
	ReasonNotJSON             = Reason(owntracks.ReasonNotJSON)      // payload is not JSON
	ReasonWrongType           = Reason(owntracks.ReasonWrongType)    // a field has the wrong JSON type
	ReasonMissingField        = Reason(owntracks.ReasonMissingField) // lat, lon, tst, event, data or status absent
	ReasonOutOfRange          = Reason(owntracks.ReasonOutOfRange)   // lat/lon outside WGS 84, or a time that is not one
	ReasonFuture              = Reason(owntracks.ReasonFuture)       // more than 5 minutes ahead of the server clock
	ReasonTooLarge            = Reason(owntracks.ReasonTooLarge)     // payload over owntracks.MaxPayload bytes
	ReasonNullIsland          = Reason(owntracks.ReasonNullIsland)   // lat 0, lon 0: a receiver without a fix
	ReasonBadEvent            = Reason(owntracks.ReasonBadEvent)     // a transition neither "enter" nor "leave"
	ReasonNoSecret            = Reason(owntracks.ReasonNoSecret)     // encrypted, but the unit has no OwnTracks secret
	ReasonDecrypt             = Reason(owntracks.ReasonDecrypt)      // encrypted data that does not open with the unit's secret
	ReasonBadTopic     Reason = "bad_topic"                          // topic does not name a valid unit
	ReasonBadStatus    Reason = "bad_status"                         // unknown crew status
	ReasonUnregistered Reason = "unregistered"                       // no such unit in the fleet
	ReasonRevoked      Reason = "revoked"                            // from a session a credential rotation closed
)

const numReasons = 14

// Reasons lists every drop reason, so metrics show zeros too.
var Reasons = [numReasons]Reason{ReasonNotJSON, ReasonWrongType, ReasonMissingField, ReasonOutOfRange,
	ReasonFuture, ReasonBadTopic, ReasonBadStatus, ReasonUnregistered, ReasonTooLarge,
	ReasonNullIsland, ReasonBadEvent, ReasonNoSecret, ReasonDecrypt, ReasonRevoked}

// MaxPayload caps a message: an iOS location carrying a POI image is tens
// of KiB. The embedded broker's packet limit (MaxPacket) leaves room for
// the topic and header on top.
const MaxPayload = owntracks.MaxPayload

// DropError is a dropped message: the reason and a sentence for the log.
type DropError struct {
	Reason Reason
	Detail string
}

func (e *DropError) Error() string { return string(e.Reason) + ": " + e.Detail }

func drop(r Reason, detail string) error { return &DropError{Reason: r, Detail: detail} }

func quote(s string) string {
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
