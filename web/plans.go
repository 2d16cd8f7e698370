package web

import (
	"net/http"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// The page's one list of names (issue 26 items 1 and 10): the plans with
// their labels in both languages, the agencies, and the unit types with
// their names and the shape the map draws them with. The JavaScript
// writes none of them again.

// unitTypeView is a unit type as the page shows it.
type unitTypeView struct {
	Type   tracking.UnitType `json:"type"`
	Name   string            `json:"name"`
	NameEN string            `json:"name_en"`
	Shape  string            `json:"shape"` // circle, square, diamond, triangle or pentagon
}

// unitTypeNames holds every tracking.UnitTypes entry (a test checks).
var unitTypeNames = map[tracking.UnitType]unitTypeView{
	tracking.Ambulance: {Name: "Ambulans", NameEN: "Ambulance", Shape: "circle"},
	tracking.FireTruck: {Name: "Damkar", NameEN: "Fire truck", Shape: "square"},
	tracking.Hearse:    {Name: "Mobil jenazah", NameEN: "Hearse", Shape: "diamond"},
	tracking.Rescue:    {Name: "Rescue BPBD", NameEN: "BPBD rescue", Shape: "triangle"},
	tracking.Police:    {Name: "Polisi", NameEN: "Police", Shape: "pentagon"},
}

func unitTypeViews() []unitTypeView {
	out := make([]unitTypeView, 0, len(tracking.UnitTypes))
	for _, t := range tracking.UnitTypes {
		v := unitTypeNames[t]
		v.Type = t
		out = append(out, v)
	}
	return out
}

// planAgency is an agency in GET /api/plans: agency users read it without
// the contacts.
type planAgency struct {
	tracking.Agency
	Contacts []tracking.Contact `json:"contacts,omitempty"`
}

// plans answers GET /api/plans: categories, their plans, the agencies and
// the unit types.
func (s *Server) plans(w http.ResponseWriter, r *http.Request) {
	p := s.cfg.Dispatch.Plans()
	all := p.All()
	for i := range all {
		if all[i].Needs == nil { // a plan without vehicles: [], as every other list
			all[i].Needs = []dispatch.Need{}
		}
	}
	pr, _ := principalOf(r)
	agencies := make([]planAgency, len(p.Agencies))
	for i, a := range p.Agencies {
		agencies[i].Agency = a
		if pr.Role != tracking.RoleAgency {
			agencies[i].Contacts = a.Contacts
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"plans": all, "agencies": agencies, "unit_types": unitTypeViews()})
}

// DefaultDispatchTarget: the console marks an incident late when no unit
// is dispatched this long after the report.
const DefaultDispatchTarget = 2 * time.Minute
