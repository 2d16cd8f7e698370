package mqtt

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/trackingtest"
)

// selfSignedCA makes a throwaway self-signed certificate for 127.0.0.1 that
// is its own CA (for mosquitto_pub --cafile) and returns it loaded and as a
// PEM file.
func selfSignedCA(t *testing.T) (*tls.Config, string) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "siaga112 test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	cert, err := tls.X509KeyPair(certPEM, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "ca.pem")
	os.WriteFile(file, certPEM, 0o600)
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, file
}

// Phones send passwords over mobile networks: MQTT over TLS, checked with
// the stock mosquitto_pub.
func TestBrokerTLSWithMosquittoPub(t *testing.T) {
	trackingtest.Tool(t, "mosquitto_pub", "mosquitto-clients")
	cfg, caFile := selfSignedCA(t)
	h := newHostile(t, BrokerConfig{TLSListen: "127.0.0.1:0", TLS: cfg})
	_, port, _ := net.SplitHostPort(h.b.TLSAddr())
	pub := func(extra ...string) (string, error) {
		args := append([]string{"-h", "127.0.0.1", "-p", port, "-u", "AMB-01", "-P", "pw-1", "-i", "amb01-tls", "-q", "1",
			"-t", "owntracks/dinkes/AMB-01", "-m", location(-6.16, 106.1, time.Now().Unix())}, extra...)
		out, err := exec.Command("mosquitto_pub", args...).CombinedOutput()
		return strings.TrimSpace(string(out)), err
	}
	if out, err := pub("--cafile", caFile); err != nil {
		t.Fatalf("mosquitto_pub over TLS: %v: %s", err, out)
	}
	eventually(t, 3*time.Second, "fix over TLS applied", func() bool { u, _ := h.ix.Get("AMB-01"); return u.Position.Lat == -6.16 })
	if out, err := pub(); err == nil {
		t.Fatalf("plain MQTT to the TLS port succeeded: %s", out)
	}
}

// The README's first command must work on a machine already running a
// broker on 1883: when the operator did not choose the port, the next free
// one is taken.
func TestBrokerTakesNextFreePort(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:21883")
	if err != nil {
		t.Skip("port 21883 not free:", err)
	}
	defer taken.Close()
	if _, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:21883"}); err == nil {
		t.Fatal("a taken, chosen port did not fail")
	}
	b, err := NewBroker(BrokerConfig{Listen: "127.0.0.1:21883", NextFreePort: 16})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, port, _ := net.SplitHostPort(b.Addr()); port == "21883" || port < "21884" || port > "21899" {
		t.Fatalf("broker on %s, want the next free port after 21883", b.Addr())
	}
}
