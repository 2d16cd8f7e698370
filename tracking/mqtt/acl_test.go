package mqtt

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	paho "github.com/eclipse/paho.mqtt.golang"

	"siaga112/tracking/trackingtest"
)

// readmeACL is the Mosquitto ACL docs/operations.md gives for an external broker.
func readmeACL(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), "# /etc/mosquitto/acl\n")
	if !ok {
		t.Fatal("docs/operations.md has no Mosquitto ACL")
	}
	block, _, _ := strings.Cut(rest, "```")
	var lines []string
	for _, l := range strings.Split(block, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// The OwnTracks app through Mosquitto with the documented ACL, as the app
// behaves: a kept session with a will, a QoS 1 transition on /event,
// waypoints, then a location. Nothing is refused, the transition and the
// location arrive, and a device cannot publish as another unit.
func TestReadmeMosquittoACL(t *testing.T) {
	bin := trackingtest.Tool(t, "mosquitto", "mosquitto")
	passwd := trackingtest.Tool(t, "mosquitto_passwd", "mosquitto")
	dir := t.TempDir()
	unit, other := fmt.Sprintf("T%d", time.Now().UnixNano()), "OTHER-1"
	pwFile := filepath.Join(dir, "passwd")
	for i, up := range [][2]string{{"siaga112", "ingest-pw"}, {unit, "unit-pw"}} {
		args := []string{"-b", pwFile, up[0], up[1]}
		if i == 0 {
			args = append([]string{"-c"}, args...)
		}
		if out, err := exec.Command(passwd, args...).CombinedOutput(); err != nil {
			t.Fatalf("mosquitto_passwd: %v %s", err, out)
		}
	}
	aclFile := filepath.Join(dir, "acl")
	if err := os.WriteFile(aclFile, []byte(readmeACL(t)), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	conf := filepath.Join(dir, "mosquitto.conf")
	if err := os.WriteFile(conf, []byte(fmt.Sprintf("listener %s 127.0.0.1\nallow_anonymous false\npassword_file %s\nacl_file %s\n", port, pwFile, aclFile)), 0o600); err != nil {
		t.Fatal(err)
	}
	// Mosquitto started as root drops to its own user, which must read these.
	for _, p := range []string{filepath.Dir(dir), dir, pwFile, aclFile, conf} {
		mode := os.FileMode(0o644)
		if p == dir || p == filepath.Dir(dir) {
			mode = 0o755
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(bin, "-c", conf)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	url := "tcp://127.0.0.1:" + port
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", "127.0.0.1:"+port)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mosquitto is not listening: %s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	ix := newFleet(t, unit, other)
	rs := &regionsAndSecrets{}
	in := NewIngest(Config{URL: url, ClientID: "siaga112-acl", Username: "siaga112", Password: "ingest-pw", Regions: rs}, ix)
	startCtx(t, in)

	lost := make(chan error, 4)
	c := paho.NewClient(paho.NewClientOptions().AddBroker(url).SetClientID("owntracks-"+unit).
		SetUsername(unit).SetPassword("unit-pw").SetCleanSession(false).SetProtocolVersion(4).
		SetWill(LocationTopic("dinkes", unit), `{"_type":"lwt","tst":1764201000}`, 1, true).
		SetAutoReconnect(false).SetConnectionLostHandler(func(_ paho.Client, err error) { lost <- err }))
	if tok := c.Connect(); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
		t.Fatalf("connect: %v", tok.Error())
	}
	defer c.Disconnect(100)
	now := time.Now().Unix()
	for _, m := range []struct{ topic, payload string }{
		{EventTopic("dinkes", unit), fmt.Sprintf(`{"_type":"transition","event":"enter","desc":"RSUD","tst":%d}`, now-2)},
		{LocationTopic("dinkes", unit) + "/waypoints", `{"_type":"waypoints","waypoints":[]}`},
		{LocationTopic("dinkes", other), location(-6.2, 106.2, now-1)}, // posing as another unit: the ACL drops it
		{LocationTopic("dinkes", unit), location(-6.12, 106.15, now)},
	} {
		if tok := c.Publish(m.topic, 1, true, m.payload); !tok.WaitTimeout(5*time.Second) || tok.Error() != nil {
			t.Fatalf("publish %s: %v", m.topic, tok.Error())
		}
	}
	eventually(t, 5*time.Second, "the location", func() bool { u, _ := ix.Get(unit); return u.Position.Lat == -6.12 })
	eventually(t, time.Second, "the transition", func() bool { return in.Stats().Regions == 1 })
	if u, _ := ix.Get(other); u.HasPosition() {
		t.Fatalf("a device moved another unit: %+v", u.Position)
	}
	select {
	case err := <-lost:
		t.Fatalf("the app was disconnected: %v", err)
	default:
	}
}
