package web

import (
	"net/http"
	"strings"

	"siaga112/tracking"
	"siaga112/tracking/interop"
)

// incidentFormat reads how GET /api/incidents/{id} is to answer: ?format=
// json, geojson, cap or eido, else the Accept header (application/cap+xml
// asks for CAP); "" is the plain JSON.
func incidentFormat(r *http.Request) (string, error) {
	switch f := r.URL.Query().Get("format"); f {
	case "json", "geojson", "cap", "eido":
		return f, nil
	case "":
		if strings.Contains(r.Header.Get("Accept"), interop.CAPContentType) {
			return "cap", nil
		}
		return "", nil
	default:
		return "", tracking.Errorf(tracking.CodeInvalid, "format must be one of json, geojson, cap, eido, not %q", truncate(f, 20))
	}
}

// writeInterop answers an incident as CAP 1.2 or NENA EIDO JSON.
func (s *Server) writeInterop(w http.ResponseWriter, r *http.Request, in tracking.Incident, format string) {
	var body []byte
	var err error
	ct := interop.CAPContentType
	if format == "cap" {
		body, err = s.cfg.Interop.CAP(in)
	} else {
		body, err = s.cfg.Interop.EIDO(in)
		ct = interop.EIDOContentType
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.WriteHeader(http.StatusOK)
	w.Write(body)
}
