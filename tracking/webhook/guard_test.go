package webhook

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking"
)

// Issue 22, finding 23: targets inside the server's own or internal
// networks are refused at subscription, by literal address or by what the
// name resolves to (before, each was 201).
func TestInternalTargetsRefused(t *testing.T) {
	s := New(Config{Outbox: NewMemory()}) // the default: no --webhook-allow-private
	for _, tc := range []struct {
		name, url, kind string // kind "": accepted
	}{
		{"loopback v4", "http://127.0.0.1:8080/hook", "loopback"},
		{"loopback v4 elsewhere in 127/8", "http://127.8.9.10/", "loopback"},
		{"loopback v6", "http://[::1]:8080/hook", "loopback"},
		{"v4-mapped loopback", "http://[::ffff:127.0.0.1]/", "loopback"},
		{"cloud metadata", "http://169.254.169.254/latest/meta-data/", "link-local"},
		{"v6 link-local", "http://[fe80::1%25eth0]/", "link-local"},
		{"private 10/8", "http://10.0.0.1/", "private"},
		{"private 172.16/12", "https://172.20.1.2/", "private"},
		{"private 192.168/16", "http://192.168.1.1:9000/", "private"},
		{"unique local v6", "http://[fd12:3456::1]/", "private"},
		{"carrier-grade NAT", "http://100.100.100.200/", "shared"},
		{"unspecified", "http://0.0.0.0:8080/", "an unspecified address"},
		{"this network", "http://0.1.2.3/", "this network"},
		{"NAT64 of metadata", "http://[64:ff9b::a9fe:a9fe]/", "link-local"},
		{"a name resolving to loopback", "http://localhost:8080/hook", "loopback"},
		{"a public address", "https://203.0.113.7/hook", ""},
		{"a name that does not resolve now", "https://gw.example/hook", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := s.Subscribe(context.Background(), tracking.Webhook{URL: tc.url, Events: []tracking.WebhookEvent{tracking.EventIncidentCreated}, Secret: secret})
			if tc.kind == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if tracking.CodeOf(err) != tracking.CodeInvalid || !strings.Contains(err.Error(), tc.kind) || !strings.Contains(err.Error(), "--webhook-allow-private") {
				t.Fatalf("err = %v, want invalid naming %q and the flag", err, tc.kind)
			}
		})
	}
	if hooks, _ := s.Webhooks(context.Background()); len(hooks) != 2 {
		t.Fatalf("%d webhooks stored, want the 2 accepted", len(hooks))
	}
}

// With --webhook-allow-private the centre's own gateways may be targets.
func TestAllowPrivate(t *testing.T) {
	s := New(Config{Outbox: NewMemory(), AllowPrivate: true})
	for _, u := range []string{"http://127.0.0.1:8080/", "http://10.0.0.1/", "http://localhost/"} {
		if _, err := s.Subscribe(context.Background(), tracking.Webhook{URL: u, Events: []tracking.WebhookEvent{tracking.EventIncidentCreated}, Secret: secret}); err != nil {
			t.Fatalf("%s: %v", u, err)
		}
	}
}

// DNS rebinding: a name that resolved to a public address at subscription
// and to loopback at delivery is refused at connect, on the address
// dialled; the receiver is never reached and the attempt says why.
func TestConnectRecheckedAtDelivery(t *testing.T) {
	rc := newReceiver(t)
	public := func(context.Context, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("203.0.113.7")}, nil
	}
	s := start(t, NewMemory(), func(c *Config) { c.AllowPrivate, c.LookupIP, c.GiveUpAfter = false, public, 50*time.Millisecond })
	port := rc.srv.URL[strings.LastIndex(rc.srv.URL, ":"):]
	w := subscribe(t, s, "http://localhost"+port+"/hook", tracking.EventIncidentCreated)
	s.Publish(tracking.EventIncidentCreated, time.Now(), 1)
	waitFor(t, func() bool { return s.Stats().Failed == 1 })
	if len(rc.gotCh) != 0 {
		t.Fatal("the receiver on 127.0.0.1 was reached")
	}
	ds, _ := s.Deliveries(context.Background(), w.ID, 1)
	if len(ds) != 1 || len(ds[0].Log) == 0 || ds[0].Log[0].StatusCode != 0 || !strings.Contains(ds[0].Log[0].Error, "loopback") {
		t.Fatalf("delivery log %+v", ds)
	}
}

// A 3xx is the attempt's answer: a failed attempt, never a hop to where it
// points (before, a 302 was followed).
func TestRedirectsNotFollowed(t *testing.T) {
	for _, code := range []int{http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			target := newReceiver(t)
			var hits atomic.Int32
			mover := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				http.Redirect(w, r, target.srv.URL+"/elsewhere", code)
			}))
			t.Cleanup(mover.Close)
			s := start(t, NewMemory(), func(c *Config) { c.GiveUpAfter = 50 * time.Millisecond })
			w := subscribe(t, s, mover.URL, tracking.EventIncidentCreated)
			s.Publish(tracking.EventIncidentCreated, time.Now(), 1)
			waitFor(t, func() bool { return s.Stats().Failed == 1 })
			if len(target.gotCh) != 0 {
				t.Fatal("the redirect was followed")
			}
			ds, _ := s.Deliveries(context.Background(), w.ID, 1)
			if len(ds) != 1 || ds[0].Status != tracking.DeliveryFailed || ds[0].Log[0].StatusCode != code || !strings.Contains(ds[0].Log[0].Error, "redirects are not followed") {
				t.Fatalf("delivery %+v", ds)
			}
			if hits.Load() == 0 {
				t.Fatal("the receiver was never tried")
			}
		})
	}
}

func TestInternalKind(t *testing.T) {
	for _, tc := range []struct{ name, addr, want string }{
		{"public v4", "8.8.8.8", ""},
		{"public v6", "2001:4860:4860::8888", ""},
		{"documentation", "203.0.113.7", ""},
		{"loopback", "127.0.0.1", "loopback"},
		{"mapped private", "::ffff:10.1.2.3", "private"},
		{"link-local multicast", "ff02::1", "link-local"},
		{"multicast", "239.1.2.3", "multicast"},
		{"broadcast", "255.255.255.255", "broadcast"},
		{"site-local", "fec0::1", "site-local"},
		{"benchmarking", "198.18.0.1", "benchmarking"},
		{"NAT64 public", "64:ff9b::808:808", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := internalKind(netip.MustParseAddr(tc.addr)); got != tc.want {
				t.Fatalf("internalKind(%s) = %q, want %q", tc.addr, got, tc.want)
			}
		})
	}
}
