package app

import (
	"context"
	"slices"

	"github.com/paulmach/orb"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/analytics"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/web"
)

// The planners' side: the incident history (memory, and the database's
// when there is one), its index and coverage over the city.

// analytics builds the planners' side and loads the incident history.
func (a *App) analytics(ctx context.Context, plans *dispatch.Plans, districts *geo.DistrictIndex) (*web.Analytics, error) {
	history := analytics.NewIndex()
	past, err := a.History.History(ctx)
	if err != nil {
		return nil, err
	}
	if len(past) > 0 {
		a.log.Info("incident history loaded", "incidents", history.Add(past))
	}
	// Synthetic history (a --demo run's, kept by the database) is shown as
	// such whether or not this run is a demo.
	synthetic := slices.ContainsFunc(past, tracking.HistoryRecord.IsSynthetic)
	if synthetic && !a.cfg.Demo {
		a.log.Warn("the incident history holds a demo's synthetic incidents (ids synthetic-…); the planner page says so")
	}
	var sql analytics.Querier
	if a.Postgres != nil {
		sql = a.Postgres // push analytics into SQL when there is a database
	}
	index, svc := a.Fleet, a.Dispatch
	return &web.Analytics{
		Index: history, Store: a.History, Router: a.cfg.Travel, CityBound: cityBound(),
		Importer: analytics.Importer{
			Known:   func(c tracking.Category) bool { _, err := plans.Plan(c); return err == nil },
			Locator: districts,
		},
		Live:      func() []tracking.Incident { return svc.List(dispatch.Filter{}) },
		SQL:       sql,
		Synthetic: synthetic,
		Nearest: func(t tracking.UnitType) analytics.Nearest {
			f := fleet.Filter{Types: []tracking.UnitType{t}, Statuses: []tracking.Status{tracking.Available}, Liveness: []tracking.Liveness{tracking.Live}}
			return func(p orb.Point) (tracking.Unit, float64, bool) {
				for u, d := range index.Nearest(p, f) {
					return u, d, true
				}
				return tracking.Unit{}, 0, false
			}
		},
	}, nil
}

// cityBound is the box around Kota Serang's kelurahan points, padded to
// reach their edges (coverage cells are then kept only inside the city).
func cityBound() orb.Bound {
	var b orb.Bound
	for i, k := range mapdata.Serang().Kelurahan {
		if i == 0 {
			b = k.Point.Bound()
		}
		b = b.Extend(k.Point)
	}
	return b.Pad(0.03)
}
