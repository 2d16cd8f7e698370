package web

import (
	"net/http/httptest"
	"testing"

	"siaga112/tracking/accounts"
	"siaga112/tracking/dispatch"
	"siaga112/tracking/fleet"
	"siaga112/tracking/trackingtest"
	"siaga112/tracking/units"
)

// Stack is a whole server built by tracking/app, in memory, on a fake
// clock. app imports web, so only an external test file may build one:
// app_test.go (package web_test) sets BuildStack in its init.
type Stack struct {
	TS       *httptest.Server
	Server   *Server
	Fleet    *fleet.Index
	Units    *units.Service
	Dispatch *dispatch.Service
	Clock    *trackingtest.Clock
	Accounts *accounts.Service // nil when the API is open
}

// StackOptions tune a Stack; the zero value is an open API with the
// defaults.
type StackOptions struct {
	AdminToken   string // "": the API is open
	IncidentRate int
	CallRate     int
	LiveClients  int
	Accounts     *accounts.Service // prebuilt (a test's clock); nil: built from AdminToken
}

// BuildStack builds a Stack.
var BuildStack func(t testing.TB, o StackOptions) *Stack

// stack is a Stack with the short names the tests use.
type stack struct {
	url   string
	ts    *httptest.Server
	srv   *Server
	fleet *fleet.Index
	units *units.Service
	svc   *dispatch.Service
	clk   *trackingtest.Clock
	acc   *accounts.Service
}

func newStack(t *testing.T, adminToken string) *stack {
	t.Helper()
	return newStackWith(t, StackOptions{AdminToken: adminToken})
}

func newStackWith(t *testing.T, o StackOptions) *stack {
	t.Helper()
	s := BuildStack(t, o)
	return &stack{url: s.TS.URL, ts: s.TS, srv: s.Server, fleet: s.Fleet, units: s.Units, svc: s.Dispatch, clk: s.Clock, acc: s.Accounts}
}
