package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"
)

// Defect 5 of issue 11, end to end: rotating a unit's credentials over the
// API closes the tracker's live session at once; the old password no
// longer connects. A unit named admin cannot be registered.
func TestRotatingCredentialsClosesTheSession(t *testing.T) {
	cfg := testConfig(t)
	base := startRun(t, cfg)
	code, body := call(t, "PUT", base+"/api/units/ROT-1", `{"type":"ambulance","agency":"dinkes"}`)
	if code != http.StatusCreated {
		t.Fatalf("register: %d %v", code, body)
	}
	password := body["mqtt"].(map[string]any)["password"].(string)
	var lost atomic.Int32
	connect := func(pass string) (paho.Client, error) {
		c := paho.NewClient(paho.NewClientOptions().AddBroker("tcp://" + cfg.MQTTListen).SetClientID("rot-1-phone").
			SetUsername("ROT-1").SetPassword(pass).SetAutoReconnect(false).SetConnectRetry(false).
			SetConnectionLostHandler(func(paho.Client, error) { lost.Add(1) }))
		tok := c.Connect()
		tok.WaitTimeout(5 * time.Second)
		return c, tok.Error()
	}
	c, err := connect(password)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Disconnect(0)
	if code, body := call(t, "POST", base+"/api/units/ROT-1/credentials", ``); code != http.StatusOK {
		t.Fatalf("rotate: %d %v", code, body)
	}
	waitFor(t, "the old session is closed", func() bool { return lost.Load() == 1 })
	if c2, err := connect(password); err == nil {
		c2.Disconnect(0)
		t.Fatal("the old password still connects")
	}
	if code, _ := call(t, "PUT", base+"/api/units/admin", `{"type":"ambulance","agency":"dinkes"}`); code != http.StatusBadRequest {
		t.Fatalf("registering a unit named admin: %d, want 400", code)
	}
}

// /healthz reports the embedded broker's listener as well as the ingest.
func TestHealthzReportsTheBroker(t *testing.T) {
	base := startRun(t, testConfig(t))
	req, _ := http.NewRequest("GET", base+"/healthz", nil)
	req.Header.Set("Authorization", "Bearer "+testToken) // details need credentials
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	var v map[string]any
	json.Unmarshal(b, &v)
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(b), "mqtt_broker") {
		t.Fatalf("/healthz %d %s: want 200 naming mqtt_broker", resp.StatusCode, b)
	}
}

// --mqtt-tls-listen serves MQTT over TLS with the HTTPS certificate; a device
// signs in over it with its credentials.
func TestMQTTOverTLSFlag(t *testing.T) {
	cfg := testConfig(t)
	cfg.TLSCert, cfg.TLSKey = selfSigned(t)
	cfg.MQTTTLSListen = freeAddr(t)
	startRun(t, cfg)
	pem, err := os.ReadFile(cfg.TLSCert)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(pem)
	c := paho.NewClient(paho.NewClientOptions().AddBroker("ssl://" + cfg.MQTTTLSListen).SetClientID("tls-gw").
		SetUsername("admin").SetPassword(testToken).SetTLSConfig(&tls.Config{RootCAs: roots}).SetConnectRetry(false))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("MQTT over TLS: %v", tok.Error())
	}
	c.Disconnect(0)
}

// The README's first command on a machine already running a broker: without
// --mqtt-listen the embedded broker takes the next free port and prints it.
func TestMQTTPortTakenNextFree(t *testing.T) {
	cfg := testConfig(t)
	taken, err := net.Listen("tcp", cfg.MQTTListen)
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	cfg.MQTTListenDefault = true
	out := runPrinting(t, cfg)
	waitFor(t, "the server runs", func() bool { return strings.Contains(out.String(), "siaga112 is running") })
	_, port, _ := net.SplitHostPort(cfg.MQTTListen)
	line := out.String()
	if !strings.Contains(line, "MQTT tcp://127.0.0.1:") || strings.Contains(line, "MQTT tcp://127.0.0.1:"+port+")") {
		t.Fatalf("want the next free port after %s in %q", port, line)
	}
}
