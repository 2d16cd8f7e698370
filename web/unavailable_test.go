package web

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"siaga112/geo"
	"siaga112/mapdata"
	"siaga112/tracking"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/memstore"
)

// numbersDown is a store whose shared incident numbers are gone, as
// PostgreSQL's are in an outage once the reserve is spent; the error is
// the driver's, naming the database's user, host and port.
type numbersDown struct{ *memstore.Store }

func (numbersDown) NextIncidentNumber(context.Context) (int64, error) {
	return 0, errors.New("take incident numbers: failed to connect to `user=siaga112 database=siaga112`: 10.0.0.5:5432 (db.internal): dial error: connect: connection refused")
}

// Issue 22 (13): a walk over every path that answers 503. Each carries
// Retry-After in whole seconds, and no sentence carries what a driver
// said (user=…, host:port). The PostgreSQL outage itself is walked in
// tracking/app (TestOutage503sSayRetryAfterAndNoDriverError).
func TestEvery503SaysRetryAfter(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		reach func(t *testing.T) (*http.Response, string)
	}{
		{"healthz with a component down", func(t *testing.T) (*http.Response, string) {
			ts, _ := newTestServer(t, map[string]Check{"mqtt": func() error { return errors.New("not connected to the MQTT broker; retrying") }})
			return send(t, "GET", ts.URL+"/healthz", "", "", nil, nil)
		}},
		{"incident without an incident number", func(t *testing.T) (*http.Response, string) {
			ix := fleet.New(fleet.Config{})
			svc, err := dispatch.New(ctx, dispatch.Config{Fleet: ix, Store: numbersDown{memstore.New()},
				Locator: geo.NewApproxIndex(mapdata.Serang().Districts())})
			if err != nil {
				t.Fatal(err)
			}
			srv, err := New(Config{Fleet: indexOnly{ix}, Dispatch: svc})
			if err != nil {
				t.Fatal(err)
			}
			ts := httptest.NewServer(srv)
			t.Cleanup(ts.Close)
			return send(t, "POST", ts.URL+"/api/incidents", `{"category":"medical",`+inKaligandu+`,"caller":"0811"}`, "", nil, nil)
		}},
		{"live feed at its cap", func(t *testing.T) (*http.Response, string) {
			s := newStackWith(t, StackOptions{AdminToken: adminToken, LiveClients: 1})
			dialLive(t, s.url, nil, adminToken)
			return send(t, "GET", s.url+"/api/live", "", adminToken, nil, nil)
		}},
		{"agencies' live feed at its cap", func(t *testing.T) (*http.Response, string) {
			acc := newAccounts(t, memstore.NewAccounts())
			s := newStackWith(t, StackOptions{Accounts: acc, LiveClients: 1})
			if _, err := acc.AddUserFor(ctx, "dinkes-staff", tracking.RoleAgency, "dinkes", "agency-pass-1", "admin"); err != nil {
				t.Fatal(err)
			}
			jar, _ := signIn(t, s.url, "dinkes-staff", "agency-pass-1")
			dialLive(t, s.url, jar, "")
			return send(t, "GET", s.url+"/api/live", "", "", jar, nil)
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := tc.reach(t)
			if resp.StatusCode != 503 {
				t.Fatalf("%d %s; want 503", resp.StatusCode, body)
			}
			if n, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || n < 1 {
				t.Errorf("Retry-After %q; want whole seconds", resp.Header.Get("Retry-After"))
			}
			for _, leak := range []string{"user=", "5432", "db.internal", "dial", "connect:"} {
				if strings.Contains(body, leak) {
					t.Errorf("the answer names %q: %s", leak, body)
				}
			}
		})
	}
}
