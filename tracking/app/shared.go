package app

import (
	"context"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/postgres"
)

// Several instances on one database (DESIGN.md §9, README "Scaling out"):
// each LISTENs for the ids the others commit and reads those rows back
// into its memory and its live feed. This instance's own incidents and
// units are in its memory already (and a read could land between two of
// its own changes); its callers are read back too, because the database
// counts prank calls itself. Records (accounts, geofences, contacts, the
// place book) are
// read back by version: everything written after the last version read,
// each record taken only if newer than memory's (nothing is cleared).

// readTimeout bounds one read-back.
const readTimeout = 5 * time.Second

func (a *App) share(pg *postgres.Store) {
	self := pg.Instance()
	pg.Listen(func(n tracking.Notice) { a.absorb(pg, n, n.Origin != self) }, func(ctx context.Context) { a.resync(ctx, pg) })
}

// absorb reads back what one notice names.
func (a *App) absorb(pg *postgres.Store, n tracking.Notice, remote bool) {
	ctx, cancel := context.WithTimeout(context.Background(), readTimeout)
	defer cancel()
	var err error
	switch {
	case n.Kind == "records":
		// This instance's own too: memory has them from their commit, but
		// reading them keeps the next read short; one read covers every
		// notice up to its version.
		if n.Version > a.seen.Load() {
			err = a.readRecords(ctx, pg)
		}
	case n.Kind == "caller":
		var c tracking.Caller
		if c, err = pg.Caller(ctx, n.ID); err == nil {
			a.Dispatch.SyncCaller(c, n.Action, remote)
		}
	case !remote:
	case n.Kind == "call":
		var c tracking.PhoneCall
		if c, err = pg.PhoneCall(ctx, n.ID); err == nil {
			a.Dispatch.SyncPhoneCall(c)
		}
	case n.Kind == "incident":
		var in tracking.Incident
		if in, err = pg.Incident(ctx, n.ID); err == nil {
			a.Dispatch.SyncIncident(in, n.Action, true)
		}
	case n.Kind == "unit":
		var u tracking.Unit
		if u, err = pg.Unit(ctx, n.ID); err == nil {
			err = a.Units.Sync(u, n.Action, true)
		} else if tracking.CodeOf(err) == tracking.CodeNotFound {
			a.Units.Forget(n.ID, true) // deleted there
			err = nil
		}
	}
	if err != nil && tracking.CodeOf(err) != tracking.CodeNotFound {
		a.log.Error("a change made on another instance was not read back", "kind", n.Kind, "id", n.ID, "err", err)
	}
}

// resync reads everything back: after (re)connecting, notices sent
// while this instance was not listening are lost.
func (a *App) resync(ctx context.Context, pg *postgres.Store) {
	ins, err := pg.Incidents(ctx)
	for _, in := range ins {
		a.Dispatch.SyncIncident(in, "resync", false)
	}
	if err == nil {
		var us []tracking.Unit
		us, err = pg.Units(ctx)
		for _, u := range us {
			a.Units.Sync(u, "resync", false)
		}
	}
	if err == nil {
		var gone []string
		gone, err = pg.DeletedUnits(ctx)
		for _, id := range gone {
			a.Units.Forget(id, false)
		}
	}
	if err == nil {
		var cs []tracking.Caller
		cs, err = pg.Callers(ctx)
		for _, c := range cs {
			a.Dispatch.SyncCaller(c, "resync", false)
		}
	}
	if err == nil {
		err = a.readRecords(ctx, pg)
	}
	if err != nil {
		a.log.Error("state not read back after (re)connecting to the database's notices", "err", err)
	}
}

// readRecords reads the records written after the last version read and
// hands them to their services. Only the listener's goroutine calls it.
func (a *App) readRecords(ctx context.Context, pg *postgres.Store) error {
	seen := a.seen.Load()
	rs, upTo, err := pg.Records(ctx, seen)
	if err != nil {
		return err
	}
	if a.Accounts != nil {
		a.Accounts.Absorb(rs, upTo)
	}
	a.Units.AbsorbGeofences(rs, upTo)
	a.Agencies.Absorb(rs, upTo)
	a.PlaceBook.Absorb(rs, upTo)
	a.seen.Store(max(seen, upTo))
	return nil
}

// leading is whether this instance fires the timers that must fire once
// among instances: the position writer's lock holder does. nil: alone.
func leading(pg *postgres.Store) func() bool {
	if pg == nil {
		return nil
	}
	return pg.Leading
}

// hearsFixes says whether this instance's ingest is connected to the
// broker: only then may it be the one that writes positions.
func (a *App) hearsFixes() bool {
	in := a.ingest.Load()
	return in != nil && in.Connected()
}
