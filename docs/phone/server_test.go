package phone_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/app"
)

const serverAdminToken = "phone-edge-test-admin-token-0123456789"

// realServer is siaga112 itself, built through tracking/app as cmd/ and
// the end-to-end tests build it, serving on a port the test can stop and
// take over (a hung listener on the same address).
type realServer struct {
	t     *testing.T
	addr  string
	srv   *http.Server
	phone string // a phone token
}

func startServer(t *testing.T) *realServer {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, AdminToken: serverAdminToken}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &realServer{t: t, addr: ln.Addr().String(), srv: &http.Server{Handler: a.Web}}
	go s.srv.Serve(ln)
	t.Cleanup(s.stop)
	var tok struct {
		Token string `json:"token"`
	}
	s.must(serverAdminToken, "POST", "/api/tokens", `{"name":"kamailio","role":"phone"}`, 201, &tok)
	s.phone = tok.Token
	return s
}

func (s *realServer) url() string { return "http://" + s.addr }

func (s *realServer) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := s.srv.Shutdown(ctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		s.srv.Close()
	}
}

func (s *realServer) do(token, method, path, body string) (int, []byte) {
	s.t.Helper()
	req, _ := http.NewRequest(method, s.url()+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *realServer) must(token, method, path, body string, want int, out any) {
	s.t.Helper()
	code, b := s.do(token, method, path, body)
	if code != want {
		s.t.Fatalf("%s %s: %d %s, want %d", method, path, code, b, want)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			s.t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
}

// phoneCall is an entry of GET /api/calls from the phone system.
type phoneCall struct {
	CallID string `json:"call_id"`
	Number string `json:"number"`
	State  string `json:"state"`
	Reason string `json:"reason"`
}

// calls waits up to d for every call_id in want to be listed by GET
// /api/calls, and returns them by call_id.
func (s *realServer) calls(d time.Duration, want ...string) map[string]phoneCall {
	s.t.Helper()
	deadline := time.Now().Add(d)
	for {
		var list []phoneCall
		s.must(serverAdminToken, "GET", "/api/calls", "", 200, &list)
		got := map[string]phoneCall{}
		for _, c := range list {
			if c.CallID != "" {
				got[c.CallID] = c
			}
		}
		all := true
		for _, id := range want {
			_, ok := got[id]
			all = all && ok
		}
		if all || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestKamailioWithServer: the four answers of issue 27 with Kamailio and
// sipsak in front of the real server, started with the README's command
// line and a phone token. The number is blocked by six prank marks and
// called in its +62 form.
func TestKamailioWithServer(t *testing.T) {
	needTool(t, "sipsak", "sipsak")
	server := startServer(t)
	for range 6 {
		server.must(serverAdminToken, "POST", "/api/calls", `{"number":"0812-1112-2233","outcome":"prank"}`, 201, nil)
	}
	e := startEdge(t, map[string]string{"SIAGA112_URL": server.url(), "SIAGA112_TOKEN": server.phone})
	for _, id := range []string{"warm-1", "warm-2"} { // libcurl's set-up in each worker
		r := invite(t, e, id, "sip:081299990009@trunk.example", "")
		t.Logf("%s (cold worker): %q, sipsak: reply received %s after first send", id, r.status, r.after)
	}

	r := invite(t, e, "real-blocked", "sip:+6281211122233@trunk.example", "")
	t.Logf("blocked (+62 form): %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if r.status != "SIP/2.0 403 Caller blocked (prank calls)" || !strings.Contains(r.out, `Warning: 399 siaga112 "blocked until `) {
		t.Fatalf("blocked caller: %q, want 403 Caller blocked (prank calls) with the block's end\n%s", r.status, r.out)
	}
	r = invite(t, e, "real-clean", "sip:081299990000@trunk.example", "")
	t.Logf("clean, no PBX: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") {
		t.Fatalf("clean caller without a PBX: %q, want 480\n%s", r.status, r.out)
	}
	start := time.Now()
	got := server.calls(3*time.Second, "real-blocked", "real-clean")
	t.Logf("both calls listed by GET /api/calls %v after the second answer", time.Since(start).Round(time.Millisecond))
	if c := got["real-blocked"]; c.State != "rejected" || c.Reason != "blocked" || c.Number != "081211122233" {
		t.Errorf("the blocked call in GET /api/calls: %+v, want rejected (blocked) from 081211122233", c)
	}
	if c := got["real-clean"]; c.State != "ended" || !strings.HasPrefix(c.Reason, "480") {
		t.Errorf("the clean call in GET /api/calls: %+v, want ended (480)", c)
	}
	// A rejected call is never a prank: the block does not feed itself.
	code, b := server.do(serverAdminToken, "POST", "/api/calls", `{"call_id":"real-blocked","outcome":"prank"}`)
	if code != 409 {
		t.Errorf("the rejected call logged as a prank: %d %s", code, b)
	}

	server.stop()
	r = invite(t, e, "real-refused", "sip:+6281211122233@trunk.example", "")
	t.Logf("server stopped: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") || r.wall > 2*time.Second {
		t.Fatalf("server stopped: %q after %v, want 480 within 2 s\n%s", r.status, r.wall, r.out)
	}
	hung(t, server.addr)
	r = invite(t, e, "real-hung", "sip:+6281211122233@trunk.example", "")
	t.Logf("server hung: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") || r.wall > 2*time.Second {
		t.Fatalf("server hung: %q after %v, want 480 within 2 s\n%s", r.status, r.wall, r.out)
	}
	if log := e.log.String(); !bytes.Contains([]byte(log), []byte("failed open")) {
		t.Errorf("the fail-opens are not logged:\n%s", log)
	}
}

// TestKamailioWholeCallWithServer: with a PBX, a call rings, is answered
// and hung up; the server lists it once, ended, with its times and its
// duration.
func TestKamailioWholeCallWithServer(t *testing.T) {
	server := startServer(t)
	p := startPBX(t, 300*time.Millisecond)
	e := startEdge(t, map[string]string{"SIAGA112_URL": server.url(), "SIAGA112_TOKEN": server.phone, "PBX_ADDR": p.addr()})
	c := newCaller(t, fmt.Sprintf("127.0.0.1:%d", e.port), "real-whole", "<sip:+6281299990000@trunk.example>;tag=rw", "")
	ok, _ := c.call()
	if ok.status() != 200 {
		t.Fatalf("call: %q, want 200", ok.first)
	}
	time.Sleep(500 * time.Millisecond)
	if code := c.hangUp(ok); code != 200 {
		t.Fatalf("BYE: %d", code)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		var list []struct {
			CallID     string   `json:"call_id"`
			Number     string   `json:"number"`
			State      string   `json:"state"`
			Reason     string   `json:"reason"`
			RingingAt  *string  `json:"ringing_at"`
			AnsweredAt *string  `json:"answered_at"`
			DurationS  *float64 `json:"duration_s"`
		}
		server.must(serverAdminToken, "GET", "/api/calls", "", 200, &list)
		n := 0
		for _, got := range list {
			if got.CallID != "real-whole" {
				continue
			}
			n++
			if got.State == "ended" && got.Reason == "bye" && got.Number == "081299990000" && got.RingingAt != nil && got.AnsweredAt != nil &&
				got.DurationS != nil && *got.DurationS >= 0.4 && *got.DurationS < 3 {
				t.Logf("listed: %+v, duration %.3f s", got, *got.DurationS)
				return
			}
		}
		if n > 1 {
			t.Fatalf("the call is listed %d times", n)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the whole call is not listed ended with its times within 3 s: %+v", list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
