package app

import (
	"siaga112/tracking/accounts"
	"siaga112/tracking/analytics"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/placebook"
	"siaga112/tracking/units"
	"siaga112/tracking/webhook"
	"siaga112/web"
)

// This package is the one place that names concrete types for the
// interfaces the adapters declare where they use them: web's handlers and
// the MQTT ingest know the services only by those interfaces. Each pairing
// is asserted here, at compile time.
var (
	_ mqtt.Fleet   = (*units.Service)(nil)
	_ mqtt.Regions = (*units.Service)(nil)
	_ mqtt.Secrets = (*units.Service)(nil)
	_ mqtt.Devices = (*units.Service)(nil)
	_ mqtt.Fleet   = (*fleet.Index)(nil) // the index alone, as the ingest's tests feed it

	_ web.Fleet           = (*units.Service)(nil)
	_ web.Regions         = (*units.Service)(nil)
	_ web.Geofences       = (*units.Service)(nil)
	_ web.Dispatch        = (*dispatch.Service)(nil)
	_ web.AgencyWork      = (*dispatch.Service)(nil)
	_ web.CallRecorder    = (*dispatch.Service)(nil)
	_ web.Isochrones      = (*dispatch.Service)(nil)
	_ web.Phone           = (*dispatch.Service)(nil)
	_ web.Accounts        = (*accounts.Service)(nil)
	_ web.PlaceBook       = (*placebook.Service)(nil)
	_ web.WebhookService  = (*webhook.Service)(nil)
	_ web.AgencyDirectory = (*agencyDirectory)(nil)
	_ web.HistoryIndex    = (*analytics.Index)(nil)
)

// webAccounts is a as web.Config's Auth: nil (the API open) without
// accounts, never an interface holding a nil pointer.
func webAccounts(a *accounts.Service) web.Accounts {
	if a == nil {
		return nil
	}
	return a
}
