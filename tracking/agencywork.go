package tracking

import "time"

// AgencyPart is one agency's work on an incident: the lead agency, or an
// agency whose unit was assigned. Agency users acknowledge it and mark it
// done with an outcome; the lead agency's acknowledgement stops the SOP
// clock (AgencyActedAt).
type AgencyPart struct {
	Agency  string     `json:"agency"`
	AckedAt *time.Time `json:"acked_at"`
	AckedBy string     `json:"acked_by,omitempty"`
	DoneAt  *time.Time `json:"done_at"`
	DoneBy  string     `json:"done_by,omitempty"`
	Outcome string     `json:"outcome,omitempty"`
}

// Note is a progress note on an incident, by an agency user or a
// dispatcher.
type Note struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Agency string    `json:"agency,omitempty"`
	Text   string    `json:"text"`
}

// MaxNote bounds a note's text; MaxNotes bounds an incident's notes.
const (
	MaxNote  = 2000
	MaxNotes = 500
)

// Involves reports whether agency leads the incident or has a unit of its
// own assigned to it (unitAgency says whose a unit is).
func (in Incident) Involves(agency string, unitAgency func(unitID string) string) bool {
	if agency == "" {
		return false
	}
	if in.LeadAgency == agency {
		return true
	}
	for _, p := range in.AgencyParts {
		if p.Agency == agency {
			return true
		}
	}
	if unitAgency != nil {
		for _, a := range in.Assignments {
			if unitAgency(a.UnitID) == agency {
				return true
			}
		}
	}
	return false
}

// Part returns the index of agency's part, or -1.
func (in Incident) Part(agency string) int {
	for i, p := range in.AgencyParts {
		if p.Agency == agency {
			return i
		}
	}
	return -1
}

// LeadDoneAt is when the lead agency marked its part done, if it did.
func (in Incident) LeadDoneAt() *time.Time {
	if i := in.Part(in.LeadAgency); i >= 0 {
		return in.AgencyParts[i].DoneAt
	}
	return nil
}
