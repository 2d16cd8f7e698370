package tracking

import "strings"

// Synthetic data (the demo's invented history and calls) carries a mark in
// the data itself, so no report, export or page can pass it off as real:
// history ids start with SyntheticIDPrefix, incident descriptions with
// SyntheticMark.
const (
	SyntheticIDPrefix = "synthetic-"
	SyntheticMark     = "[synthetic]"
)

// IsSynthetic says whether an incident was raised by the demo.
func (in Incident) IsSynthetic() bool { return strings.HasPrefix(in.Description, SyntheticMark) }

// IsSynthetic says whether a history record was invented by the demo.
func (r HistoryRecord) IsSynthetic() bool { return strings.HasPrefix(r.ID, SyntheticIDPrefix) }
