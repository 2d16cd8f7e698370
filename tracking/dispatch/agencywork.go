package dispatch

import (
	"context"
	"strings"
	"time"

	"siaga112/tracking"
)

// Agency users (issue 16): each sees only the incidents its agency leads
// or has a unit assigned to, acknowledges them, notes progress and marks
// its part done. Every act is one change through the journal, with the
// agency user as the actor.

// MaxOutcome bounds the outcome an agency gives its part.
const MaxOutcome = 500

// involves: caller holds s.mu.
func (s *Service) involves(in *tracking.Incident, agency string) bool {
	return in.Involves(agency, func(unitID string) string {
		if u, err := s.cfg.Fleet.Get(unitID); err == nil {
			return u.Agency
		}
		return ""
	})
}

// GetFor returns an incident the agency may see; any other is not_found,
// exactly as one that does not exist (its existence is not disclosed).
func (s *Service) GetFor(agency, id string) (tracking.Incident, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.incidents[id]
	if !ok || !s.involves(in, agency) {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
	}
	return in.Clone(), nil
}

// ListFor is List restricted to the agency's incidents; only those are
// copied.
func (s *Service) ListFor(agency string, f Filter) []tracking.Incident {
	return s.list(f, func(in *tracking.Incident) bool { return s.involves(in, agency) })
}

// Sees reports whether the agency may see the incident (the live feed's
// filter).
func (s *Service) Sees(agency string, in tracking.Incident) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.involves(&in, agency)
}

// agencyUpdate runs edit on an incident the agency may see, as one change.
func (s *Service) agencyUpdate(agency, id, action, actor string, edit func(*tracking.Incident, *tracking.AgencyPart, time.Time) error) (tracking.Incident, error) {
	if agency == "" {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeForbidden, "only an agency user acts for an agency")
	}
	return s.update(id, action, actor, func(in *tracking.Incident, now time.Time) ([]string, error) {
		if !s.involves(in, agency) {
			return nil, tracking.Errorf(tracking.CodeNotFound, "incident %q does not exist", id)
		}
		i := in.Part(agency)
		if i < 0 {
			in.AgencyParts = append(in.AgencyParts, tracking.AgencyPart{Agency: agency})
			i = len(in.AgencyParts) - 1
		}
		return nil, edit(in, &in.AgencyParts[i], now)
	})
}

// AgencyAck records the agency's acknowledgement. The lead agency's stops
// the SOP clock. Acknowledging twice is a conflict.
func (s *Service) AgencyAck(ctx context.Context, agency, id, actor string) (tracking.Incident, error) {
	return s.agencyUpdate(agency, id, "agency_acknowledged", actor, func(in *tracking.Incident, p *tracking.AgencyPart, now time.Time) error {
		if p.AckedAt != nil {
			return tracking.Errorf(tracking.CodeConflict, "%s acknowledged incident %s already at %s", agency, in.ID, p.AckedAt.Format(time.RFC3339))
		}
		p.AckedAt, p.AckedBy = &now, actor
		if agency == in.LeadAgency && in.AgencyActedAt == nil {
			in.AgencyActedAt = &now
		}
		return nil
	})
}

// AgencyNote adds a progress note.
func (s *Service) AgencyNote(ctx context.Context, agency, id, actor, text string) (tracking.Incident, error) {
	text = strings.TrimSpace(text)
	if err := tracking.CheckText("text", text, tracking.MaxNote, true); err != nil {
		return tracking.Incident{}, err
	}
	if text == "" {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeInvalid, "a note needs text")
	}
	return s.agencyUpdate(agency, id, "note", actor, func(in *tracking.Incident, _ *tracking.AgencyPart, now time.Time) error {
		if len(in.Notes) >= tracking.MaxNotes {
			return tracking.Errorf(tracking.CodeConflict, "incident %s has %d notes already", in.ID, tracking.MaxNotes)
		}
		in.Notes = append(in.Notes, tracking.Note{At: now, By: actor, Agency: agency, Text: text})
		return nil
	})
}

// AgencyDone marks the agency's part done with an outcome (acknowledging
// it too when it was not yet).
func (s *Service) AgencyDone(ctx context.Context, agency, id, actor, outcome string) (tracking.Incident, error) {
	outcome = strings.TrimSpace(outcome)
	if err := tracking.CheckText("outcome", outcome, MaxOutcome, false); err != nil {
		return tracking.Incident{}, err
	}
	if outcome == "" {
		return tracking.Incident{}, tracking.Errorf(tracking.CodeInvalid, "say the outcome of the agency's part")
	}
	return s.agencyUpdate(agency, id, "agency_done", actor, func(in *tracking.Incident, p *tracking.AgencyPart, now time.Time) error {
		if p.DoneAt != nil {
			return tracking.Errorf(tracking.CodeConflict, "%s marked its part of incident %s done already", agency, in.ID)
		}
		if p.AckedAt == nil {
			p.AckedAt, p.AckedBy = &now, actor
			if agency == in.LeadAgency && in.AgencyActedAt == nil {
				in.AgencyActedAt = &now
			}
		}
		p.DoneAt, p.DoneBy, p.Outcome = &now, actor, outcome
		return nil
	})
}
