package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/dispatch"
)

// memDirectory is a test AgencyDirectory over the default agencies.
type memDirectory struct {
	mu sync.Mutex
	as []tracking.Agency
}

func (d *memDirectory) Agencies(context.Context) ([]tracking.Agency, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]tracking.Agency(nil), d.as...), nil
}

func (d *memDirectory) SetContacts(_ context.Context, code string, cs []tracking.Contact, _ string) (tracking.Agency, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for i := range d.as {
		if d.as[i].Code == code {
			d.as[i].Contacts = cs
			return d.as[i], nil
		}
	}
	return tracking.Agency{}, tracking.Errorf(tracking.CodeNotFound, "no agency %q", code)
}

func TestAgencyRoutes(t *testing.T) {
	s := &Server{log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	dir := &memDirectory{as: dispatch.DefaultAgencies()}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/agencies", s.listAgencies(dir))
	mux.HandleFunc("PUT /api/agencies/{code}/contacts", s.putAgencyContacts(dir))
	for _, tc := range []struct {
		name, method, path, body string
		status                   int
		want                     string
	}{
		{"list", "GET", "/api/agencies", "", 200, `"code":"dinkes"`},
		{"set", "PUT", "/api/agencies/dinkes/contacts", `{"contacts":[{"kind":"whatsapp","value":"0812 3456 7890","label":"Piket"}]}`, 200, `"+6281234567890"`},
		{"listed", "GET", "/api/agencies", "", 200, `"+6281234567890"`},
		{"bad number", "PUT", "/api/agencies/dinkes/contacts", `{"contacts":[{"kind":"phone","value":"<script>"}]}`, 400, "not a phone number"},
		{"unknown agency", "PUT", "/api/agencies/nope/contacts", `{"contacts":[]}`, 404, "no agency"},
		{"unknown field", "PUT", "/api/agencies/dinkes/contacts", `{"contacts":[],"x":1}`, 400, "error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, httptest.NewRequest(tc.method, tc.path, strings.NewReader(tc.body)))
			if rec.Code != tc.status || !strings.Contains(rec.Body.String(), tc.want) {
				t.Fatalf("%d %s", rec.Code, rec.Body)
			}
		})
	}
}
