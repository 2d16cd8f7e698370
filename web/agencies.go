package web

import (
	"context"
	"net/http"

	"siaga112/tracking"
)

// AgencyDirectory is what the agency routes need: the agencies (from the
// plans file) and a durable place for the contacts admins change.
type AgencyDirectory interface {
	Agencies(ctx context.Context) ([]tracking.Agency, error)
	// SetContacts replaces an agency's contacts (already validated);
	// not_found for an unknown code.
	SetContacts(ctx context.Context, code string, cs []tracking.Contact, by string) (tracking.Agency, error)
}

// The agency routes, for the lead to register:
//
//	GET /api/agencies                    (every signed-in role) → the agencies
//	PUT /api/agencies/{code}/contacts    (admins) {"contacts":[{"kind","value","label"}]} → the agency

func (s *Server) listAgencies(dir AgencyDirectory) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		as, err := dir.Agencies(r.Context())
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if as == nil {
			as = []tracking.Agency{}
		}
		writeJSON(w, http.StatusOK, as)
	}
}

func (s *Server) putAgencyContacts(dir AgencyDirectory) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Contacts []tracking.Contact `json:"contacts"`
		}
		if err := decodeBody(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		cs, err := tracking.ValidateContacts(req.Contacts)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		by := "admin"
		if p, ok := principalOf(r); ok {
			by = p.Name
		}
		a, err := dir.SetContacts(r.Context(), r.PathValue("code"), cs, by)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		s.log.Info("agency contacts changed", "agency", a.Code, "contacts", len(cs), "by", by)
		writeJSON(w, http.StatusOK, a)
	}
}
