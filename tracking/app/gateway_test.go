package app

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking/accounts"
	"siaga112/tracking/memstore"
	"siaga112/tracking/trackingtest"
)

// lockedBuffer is a log sink the broker's goroutines may write to.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}
func (l *lockedBuffer) String() string { l.mu.Lock(); defer l.mu.Unlock(); return l.b.String() }

// Issue 13 item 7: wrong MQTT gateway passwords are throttled per address.
// After too many from one address even the right password is refused
// there, for a while, counted and logged; another address still connects.
// Real MQTT clients against the embedded broker, built as the server is.
func TestGatewayPasswordThrottledPerAddress(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the embedded broker; skipped with -short")
	}
	const token = "gateway-token-for-the-test-0123"
	clk := trackingtest.NewClock() // the throttle's clock: its waits pass only when the test says
	var logs lockedBuffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	acc, err := accounts.New(context.Background(), accounts.Config{Store: memstore.NewAccounts(), AdminToken: token, Now: clk.Now, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	a, err := New(context.Background(), Config{
		MQTTListen: "127.0.0.1:21941", AdminToken: token, Accounts: acc,
		StaleAfter: time.Minute, OfflineAfter: 5 * time.Minute,
	}, log)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	addr := a.Broker.Addr()

	connect := func(from, password string) error {
		opts := paho.NewClientOptions().AddBroker("tcp://" + addr).
			SetClientID(fmt.Sprintf("gw-%d", time.Now().UnixNano())).SetUsername(accounts.GatewayUser).SetPassword(password).
			SetProtocolVersion(4). // no fallback to 3.1: one attempt is one CONNECT
			SetConnectRetry(false).SetAutoReconnect(false).SetConnectTimeout(3 * time.Second).
			SetDialer(&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 3 * time.Second})
		c := paho.NewClient(opts)
		tok := c.Connect()
		if !tok.WaitTimeout(5 * time.Second) {
			return fmt.Errorf("no CONNACK")
		}
		if err := tok.Error(); err != nil {
			return err
		}
		c.Disconnect(0)
		return nil
	}
	const guesser, neighbour = "127.0.0.1", "127.0.0.2"
	if err := connect(guesser, token); err != nil {
		t.Fatalf("the right password before any guess: %v", err)
	}
	for i := range accounts.SecretPolicy.Free + 1 {
		if err := connect(guesser, fmt.Sprintf("guess-%d", i)); err == nil {
			t.Fatalf("guess %d accepted", i)
		}
	}
	if err := connect(guesser, token); err == nil {
		t.Fatal("the right password from the guessing address was accepted at once")
	}
	if err := connect(neighbour, token); err != nil {
		t.Fatalf("another address refused because of the guesser: %v", err)
	}
	counts := gatewayCounts(t, acc)
	if counts["wrong"] != float64(accounts.SecretPolicy.Free+1) || counts["throttled"] < 1 {
		t.Fatalf("counted %v", counts)
	}
	if log := logs.String(); !strings.Contains(log, "MQTT gateway sign-in refused") || !strings.Contains(log, guesser) {
		t.Fatalf("not logged with the address:\n%s", log)
	}
	// A while later the right password works again from there.
	clk.Add(accounts.SecretPolicy.Base + time.Second)
	if err := connect(guesser, token); err != nil {
		t.Fatalf("the right password after the wait: %v", err)
	}
}

func gatewayCounts(t *testing.T, acc *accounts.Service) map[string]float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(acc)
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]float64{}
	for _, mf := range mfs {
		for _, m := range mf.GetMetric() {
			labels := map[string]string{}
			for _, l := range m.GetLabel() {
				labels[l.GetName()] = l.GetValue()
			}
			if labels["kind"] == "mqtt_gateway" {
				out[labels["reason"]] = m.GetCounter().GetValue()
			}
		}
	}
	return out
}
