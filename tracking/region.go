package tracking

import (
	"strings"
	"time"
	"unicode"
)

// RegionEvent is a unit entering or leaving a region its tracker watches
// (an OwnTracks transition: a geofence set on the phone, or a beacon).
type RegionEvent struct {
	UnitID   string
	Kind     RegionEventKind
	Region   string    // the region's name as the tracker calls it (OwnTracks "desc")
	RegionID string    // the tracker's id for the region (OwnTracks "rid"), may be ""
	Trigger  string    // how it was detected: "c" circular region, "b" beacon, "l" location; may be ""
	At       time.Time // when the transition happened, tracker clock
	// Where the unit was; HasPosition false when the tracker did not say.
	Lon, Lat    float64
	HasPosition bool
	AccuracyM   Optional
}

// RegionEventKind is "enter" or "leave".
type RegionEventKind string

const (
	RegionEnter RegionEventKind = "enter"
	RegionLeave RegionEventKind = "leave"
)

// MaxRegionNameLen bounds a region name or id taken from a tracker, in bytes.
const MaxRegionNameLen = 128

// CleanLabel makes a tracker-supplied label safe to keep and show: valid
// UTF-8, trimmed, at most max bytes (cut on a rune boundary), without
// control characters, line or paragraph separators (they break log lines),
// or format characters: a right-to-left override shows "RSUD \u202eGNARES"
// as "RSUD SERANG" on the dispatcher's map, and zero-width ones make two
// names that look alike differ. Markup is left as text: pages escape it.
func CleanLabel(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.In(r, unicode.Cf, unicode.Zl, unicode.Zp) {
			return -1
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if len(s) > max {
		cut := max
		for cut > 0 && !utfStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

func utfStart(b byte) bool { return b&0xC0 != 0x80 }
