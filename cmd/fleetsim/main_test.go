package main

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/app"
	"siaga112/tracking/dispatch"
)

// fleetsim against a real server stack: embedded broker, ingest, fleet, API.
func TestFleetsimRegistersAndDrives(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a, err := app.New(ctx, app.Config{MQTTListen: "127.0.0.1:0", MQTTClientID: "fleetsim-test-ingest", AdminToken: "fleetsim-test-admin", OpenAPI: true}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	ix, svc, in := a.Fleet, a.Dispatch, a.Ingest
	api := httptest.NewServer(a.Web)
	defer api.Close()

	var out, log bytes.Buffer
	o := options{API: api.URL, Broker: a.BrokerURL, Username: "admin", Password: "fleetsim-test-admin", Units: 50, Rate: 1000, Duration: time.Second, Conns: 2, Seed: 7, Incidents: 50, Watchers: 2, Calls: 40}
	if err := run(ctx, o, &out, &log); err != nil {
		t.Fatal(err)
	}
	var created int
	if i := bytes.Index(log.Bytes(), []byte("created ")); i < 0 {
		t.Fatalf("no incident report in %q", log.String())
	} else if _, err := fmt.Sscanf(log.String()[i:], "created %d incidents", &created); err != nil || created < 25 {
		t.Fatalf("incident report %q: %v", log.String()[i:], err)
	}
	if !bytes.Contains(log.Bytes(), []byte("live clients: 2, ")) || !bytes.Contains(log.Bytes(), []byte("server at end: RSS")) {
		t.Fatalf("no live-client report in %q", log.String())
	}
	var listed, calls int
	if i := bytes.Index(log.Bytes(), []byte("calls: ")); i < 0 {
		t.Fatalf("no calls report in %q", log.String())
	} else if _, err := fmt.Sscanf(log.String()[i:], "calls: %d of %d", &listed, &calls); err != nil || calls < 20 || listed != calls {
		t.Fatalf("calls report %q (%v): want every call listed", log.String()[i:], err)
	}
	if n := len(svc.List(dispatch.Filter{})); n != created {
		t.Fatalf("server has %d incidents, fleetsim says it created %d", n, created)
	}
	var sent uint64
	var took, rate string
	if _, err := fmt.Sscanf(out.String(), "sent %d fixes in %s %s", &sent, &took, &rate); err != nil {
		t.Fatalf("closing line %q: %v", out.String(), err)
	}
	if _, err := time.ParseDuration(took); err != nil {
		t.Fatalf("closing line %q: duration: %v", out.String(), err)
	}
	if sent < 500 {
		t.Fatalf("sent only %d fixes in 1 s at 1000/s", sent)
	}
	if ix.Len() != 50 {
		t.Fatalf("%d units registered, want 50", ix.Len())
	}
	deadline := time.Now().Add(5 * time.Second)
	for in.Stats().Applied < sent {
		if time.Now().After(deadline) {
			t.Fatalf("applied %d of %d fixes (%+v)", in.Stats().Applied, sent, in.Stats())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if n := ix.CountByLiveness()[tracking.Live]; n != 50 {
		t.Fatalf("%d units live, want 50", n)
	}
}

func TestOptionsValidate(t *testing.T) {
	ok := options{Units: 1, Rate: 1, Conns: 1}
	tests := []struct {
		name string
		o    func(o options) options
		want string
	}{
		{"valid", func(o options) options { return o }, ""},
		{"no units", func(o options) options { o.Units = 0; return o }, "--units"},
		{"no rate", func(o options) options { o.Rate = 0; return o }, "--rate"},
		{"qos 2", func(o options) options { o.QoS = 2; return o }, "--qos"},
		{"too many conns", func(o options) options { o.Conns = 100; return o }, "--conns"},
		{"incidents without api", func(o options) options { o.Incidents = 5; return o }, "--incidents"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o(ok).validate()
			if (err == nil) != (tt.want == "") || (err != nil && !bytes.Contains([]byte(err.Error()), []byte(tt.want))) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}
