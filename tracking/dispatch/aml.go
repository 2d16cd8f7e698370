package dispatch

import (
	"context"
	"fmt"

	"siaga112/tracking"
)

// CallerLocationReport is what one AML message brought: the position when
// the phone found one, and the message as received (SMS).
type CallerLocationReport struct {
	Location *tracking.CallerLocation
	Raw      *tracking.RawAML
}

// RecordCallerLocation records a caller's position and the message it came
// in, as one change; persisted is false when the database is unreachable.
// The number is the canonical one (the caller normalised it, naming its
// field).
func (s *Service) RecordCallerLocation(ctx context.Context, r CallerLocationReport, actor string) (persisted bool, err error) {
	if r.Location == nil && r.Raw == nil {
		return true, nil
	}
	c := tracking.Change{Audit: tracking.Audit{Action: "caller.location", Actor: actor}, Action: "location", At: s.cfg.Now(),
		CallerLocation: r.Location, RawAML: r.Raw}
	if r.Location == nil {
		c.Audit.Action = "caller.aml"
	}
	persisted, err = wait(s.journal.Record(c))
	if err != nil {
		return false, fmt.Errorf("save caller location: %w", err)
	}
	return persisted, nil
}

// CallerLocation is the newest position of a caller in the last 24 h
// (CodeNotFound when there is none).
func (s *Service) CallerLocation(ctx context.Context, number string) (tracking.CallerLocation, error) {
	n, err := tracking.NormalizePhone(number)
	if err != nil {
		return tracking.CallerLocation{}, err
	}
	pl, ok := s.cfg.Store.(tracking.PhoneLog)
	if !ok {
		return tracking.CallerLocation{}, tracking.Errorf(tracking.CodeNotFound, "this server's store keeps no caller locations")
	}
	return pl.CallerLocation(ctx, n, s.cfg.Now())
}
