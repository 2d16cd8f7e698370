package app

import (
	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/interop"
)

// interopEncoder writes incidents as CAP and EIDO with this centre's id
// (--psap-id) and the plans' names for case types and agencies.
func interopEncoder(cfg Config, plans *dispatch.Plans) interop.Encoder {
	agencies := map[string]string{}
	for _, a := range plans.Agencies {
		agencies[a.Code] = a.Name
	}
	return interop.Encoder{
		PSAPID: cfg.PSAPID,
		CategoryLabel: func(c tracking.Category) string {
			if p, err := plans.Plan(c); err == nil {
				return p.Label
			}
			return ""
		},
		AgencyName: func(code string) string { return agencies[code] },
	}
}
