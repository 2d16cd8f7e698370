package web_test

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"siaga112/tracking/app"
	"siaga112/tracking/trackingtest"
	"siaga112/web"
)

// The web tests build their server through the app package, as cmd does.
func init() {
	web.BuildStack = func(t testing.TB, o web.StackOptions) *web.Stack {
		t.Helper()
		clk := trackingtest.NewClock()
		a, err := app.New(context.Background(), app.Config{
			NoMQTT: true, OpenAPI: o.AdminToken == "" && o.Accounts == nil, AdminToken: o.AdminToken, Now: clk.Now, IncidentRate: o.IncidentRate, CallRate: o.CallRate, LiveClients: o.LiveClients, Accounts: o.Accounts,
		}, slog.New(slog.DiscardHandler))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(a.Close)
		ts := httptest.NewServer(a.Web)
		t.Cleanup(ts.Close)
		return &web.Stack{TS: ts, Server: a.Web, Fleet: a.Fleet, Units: a.Units, Dispatch: a.Dispatch, Clock: clk, Accounts: a.Accounts}
	}
}
