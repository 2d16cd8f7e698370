package httpingest

import "siaga112/tracking"

// What the ingest needs of the rest of the server. Each is answered from
// memory: a tracker's request never waits for the database.

// Devices checks a unit's device password: the same credentials the unit
// uses on MQTT (dispatch.Service.CheckDevice has this shape).
type Devices interface {
	CheckDevice(unitID, password string) (agency string, ok bool)
}

// Secrets gives a unit's OwnTracks payload-encryption passphrase, nil when
// none is set.
type Secrets interface {
	OwnTracksSecret(unitID string) []byte
}

// Trackers resolves an OsmAnd device id (a unit's tracker_id, e.g. an IMEI)
// to the unit.
type Trackers interface {
	UnitByTrackerID(trackerID string) (unitID string, ok bool)
}

// Fleet applies what trackers report. A nil error means applied (or kept as
// history when older than the unit's newest fix): the tracker may forget
// it. A tracking.CodeNotFound error means the unit is gone; CodeInvalid or
// CodeOutsideArea that the fix can never be applied; anything else is
// temporary and the tracker should retry.
type Fleet interface {
	ApplyFix(unitID string, f tracking.Fix) error
	RecordRegionEvent(e tracking.RegionEvent) error
}
