// Package phone_test runs docs/phone/siaga112.cfg in a real Kamailio,
// started with the README's command line, driven by sipsak (and a small
// SIP caller and PBX for whole calls): in front of the real server built
// through tracking/app (server_test.go), and of a stand-in for its two
// phone routes where a test needs what the server does not do on demand
// (an admission that takes 600 ms, a record of every request).
package phone_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/trackingtest"
)

const phoneToken = "s112_phone_test_token_0123456789"

// blockedNumber is the one caller the stand-in refuses (canonical form).
const blockedNumber = "081211122233"

// slowNumber's admission takes 600 ms to answer: the trunk retransmits
// meanwhile.
const slowNumber = "081277776666"

// needTool finds a program the test needs (trackingtest.Tool).
func needTool(t *testing.T, name, debianPackage string) string {
	t.Helper()
	return trackingtest.Tool(t, name, debianPackage)
}

// event is one call event as the stand-in received it.
type event struct {
	CallID string `json:"call_id"`
	Number string `json:"number"`
	Event  string `json:"event"`
	Reason string `json:"reason"`
}

// standIn plays siaga112's phone routes: admission (admit false for
// blockedNumber in any spelling) and call events (recorded). It checks
// the bearer token as the server will.
type standIn struct {
	ln   net.Listener
	srv  *http.Server
	mu   sync.Mutex
	evs  []event
	asks []string // the numbers asked about, as received
	bad  []string // requests that broke the contract
}

func startStandIn(t *testing.T, addr string) *standIn {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &standIn{ln: ln}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/callers/{number}/admission", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r) {
			return
		}
		raw := r.PathValue("number")
		s.mu.Lock()
		s.asks = append(s.asks, raw)
		s.mu.Unlock()
		n, err := tracking.NormalizeCallerNumber(raw)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case err != nil:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":%q}`, err.Error())
		case n == slowNumber:
			time.Sleep(600 * time.Millisecond)
			fmt.Fprint(w, `{"admit":true,"reason":"ok","until":null}`)
		case n == blockedNumber:
			fmt.Fprintf(w, `{"number":%q,"admit":false,"reason":"blocked","until":"2026-01-02T10:00:00+07:00"}`, n)
		default:
			fmt.Fprint(w, `{"admit":true,"reason":"ok","until":null}`)
		}
	})
	mux.HandleFunc("POST /api/calls/events", func(w http.ResponseWriter, r *http.Request) {
		if !s.authorized(w, r) {
			return
		}
		var e event
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			s.broke("events posted as %q, not application/json", ct)
		}
		if err := dec.Decode(&e); err != nil {
			s.broke("an event that is not the contract's JSON: %v", err)
			http.Error(w, `{"error":"bad event"}`, http.StatusBadRequest)
			return
		}
		if _, err := tracking.NewCallEvent(e.CallID, e.Number, e.Event, e.Reason, "", time.Now()); err != nil {
			s.broke("event %+v: %v", e, err)
		}
		s.mu.Lock()
		s.evs = append(s.evs, e)
		s.mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
		fmt.Fprint(w, `{}`)
	})
	s.srv = &http.Server{Handler: mux}
	go s.srv.Serve(ln)
	t.Cleanup(s.stop)
	return s
}

func (s *standIn) authorized(w http.ResponseWriter, r *http.Request) bool {
	if r.Header.Get("Authorization") != "Bearer "+phoneToken {
		s.broke("%s %s without the phone token (Authorization %q)", r.Method, r.URL.Path, r.Header.Get("Authorization"))
		http.Error(w, `{"error":"unauthenticated"}`, http.StatusUnauthorized)
		return false
	}
	return true
}

func (s *standIn) broke(format string, args ...any) {
	s.mu.Lock()
	s.bad = append(s.bad, fmt.Sprintf(format, args...))
	s.mu.Unlock()
}

func (s *standIn) stop() {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	s.srv.Shutdown(ctx)
}

func (s *standIn) url() string { return "http://" + s.ln.Addr().String() }

// events waits up to d for the events of callID to include want (in
// order), and returns them all.
func (s *standIn) events(callID string, want []string, d time.Duration) []event {
	deadline := time.Now().Add(d)
	for {
		s.mu.Lock()
		var got []event
		var kinds []string
		for _, e := range s.evs {
			if e.CallID == callID {
				got, kinds = append(got, e), append(kinds, e.Event)
			}
		}
		s.mu.Unlock()
		if slices.Equal(kinds, want) || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (s *standIn) contractBroken() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bad...)
}

// hung accepts connections on addr and never answers.
func hung(t *testing.T, addr string) {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c) // held open, never read or answered
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		for _, c := range conns {
			c.Close()
		}
		mu.Unlock()
	})
}

// edge is one running Kamailio with the shipped configuration.
type edge struct {
	port int
	log  *syncBuffer
}

// startEdge copies docs/phone to a temporary folder (the folder must work
// when copied) and starts Kamailio exactly as the README says. defines are
// passed with -A; env is added to the environment.
func startEdge(t *testing.T, defines map[string]string, env ...string) *edge {
	t.Helper()
	kamailio := needTool(t, "kamailio", "kamailio")
	copyDir := filepath.Join(t.TempDir(), "phone")
	if err := os.CopyFS(copyDir, os.DirFS(".")); err != nil {
		t.Fatal(err)
	}
	run := t.TempDir()
	port := freeUDPPort(t)
	args := []string{"-f", filepath.Join(copyDir, "siaga112.cfg"), "-DD", "-E", "-n", "2",
		"-Y", run, "-P", filepath.Join(run, "kamailio.pid"), "-w", run, "-l", fmt.Sprintf("udp:127.0.0.1:%d", port)}
	for _, name := range []string{"SIAGA112_URL", "SIAGA112_TOKEN", "PBX_ADDR"} {
		if v, ok := defines[name]; ok {
			args = append(args, "-A", name+`="`+v+`"`)
		}
	}
	cmd := exec.Command(kamailio, args...)
	cmd.Env = append(os.Environ(), env...)
	e := &edge{port: port, log: &syncBuffer{}}
	cmd.Stdout, cmd.Stderr = e.log, e.log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-exited
		}
		if t.Failed() {
			t.Logf("kamailio output:\n%s", e.log.String())
		}
	})
	// Ready when it answers OPTIONS.
	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case <-exited:
			if strings.Contains(e.log.String(), "http_client") && strings.Contains(e.log.String(), "could not find module") {
				trackingtest.Missing(t, "Kamailio's http_client module is missing (Debian package kamailio-utils-modules)")
			}
			t.Fatalf("kamailio exited:\n%s", e.log.String())
		default:
		}
		if options(port) {
			return e
		}
		if time.Now().After(deadline) {
			t.Fatalf("kamailio did not answer OPTIONS on udp 127.0.0.1:%d within 10 s:\n%s", port, e.log.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func options(port int) bool {
	c, err := net.Dial("udp", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		return false
	}
	defer c.Close()
	local := c.LocalAddr().String()
	c.Write(build(fmt.Sprintf("OPTIONS sip:127.0.0.1:%d SIP/2.0", port), "Via: SIP/2.0/UDP "+local+";branch=z9hG4bKopt"+fmt.Sprint(time.Now().UnixNano()),
		"Max-Forwards: 70", "From: <sip:probe@127.0.0.1>;tag=p", "To: <sip:127.0.0.1>", "Call-ID: probe-"+fmt.Sprint(time.Now().UnixNano()), "CSeq: 1 OPTIONS"))
	c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	return err == nil && strings.HasPrefix(string(buf[:n]), "SIP/2.0 200")
}

func freeUDPPort(t *testing.T) int {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).Port
}

// sipsakResult is what sipsak saw of one INVITE.
type sipsakResult struct {
	status string        // the final answer's status line
	after  string        // sipsak's "reply received … ms after first send"
	wall   time.Duration // sipsak's run, start to exit
	out    string
}

var (
	sipsakAfter  = regexp.MustCompile(`reply received ([0-9.]+) ms after first send`)
	sipsakStatus = regexp.MustCompile(`(?m)^\s*(SIP/2\.0 [3-6][0-9][0-9] [^\r\n]*)\s+final received`)
)

// invite sends one INVITE from from (an optional P-Asserted-Identity pai)
// with sipsak, reading it from a file, and returns the final answer.
func invite(t *testing.T, e *edge, callID, from, pai string) sipsakResult {
	t.Helper()
	sipsak := needTool(t, "sipsak", "sipsak")
	target := fmt.Sprintf("127.0.0.1:%d", e.port)
	msg := "INVITE sip:112@" + target + " SIP/2.0\r\n" +
		"From: <" + from + ">;tag=" + callID + "\r\n" +
		"To: <sip:112@" + target + ">\r\n" +
		"Call-ID: " + callID + "\r\n" +
		"CSeq: 1 INVITE\r\n" +
		"Max-Forwards: 70\r\n"
	if pai != "" {
		msg += "P-Asserted-Identity: " + pai + "\r\n"
	}
	msg += "Contact: <sip:caller@127.0.0.1>\r\nContent-Length: 0\r\n\r\n"
	file := filepath.Join(t.TempDir(), callID+".sip")
	if err := os.WriteFile(file, []byte(msg), 0o644); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	out, _ := exec.Command(sipsak, "-vv", "-f", file, "-s", "sip:112@"+target, "-H", "127.0.0.1").CombinedOutput()
	r := sipsakResult{wall: time.Since(start), out: string(out)}
	if m := sipsakStatus.FindStringSubmatch(r.out); m != nil {
		r.status = strings.TrimSpace(m[1])
	}
	if m := sipsakAfter.FindStringSubmatch(r.out); m != nil {
		r.after = m[1] + " ms"
	}
	return r
}

// TestKamailioAdmission: the four answers of issue 27, with sipsak.
func TestKamailioAdmission(t *testing.T) {
	server := startStandIn(t, "127.0.0.1:0")
	addr := server.ln.Addr().String()
	e := startEdge(t, map[string]string{"SIAGA112_URL": server.url(), "SIAGA112_TOKEN": phoneToken})

	// The first question of each Kamailio worker pays libcurl's set-up
	// (tens of ms); two calls warm both workers, so the timings below are
	// the steady state. The cold ones are logged too.
	for _, id := range []string{"warm-1", "warm-2"} {
		r := invite(t, e, id, "sip:081299990009@trunk.example", "")
		t.Logf("%s (cold worker): %q, sipsak: reply received %s after first send", id, r.status, r.after)
	}

	// Blocked, written in the +62 form: 403 naming the block, and the
	// rejected call is reported.
	r := invite(t, e, "blocked-1", "sip:+6281211122233@trunk.example", "")
	t.Logf("blocked (+62 form): %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if r.status != "SIP/2.0 403 Caller blocked (prank calls)" {
		t.Fatalf("blocked caller: %q, want 403 Caller blocked (prank calls)\n%s", r.status, r.out)
	}
	if !strings.Contains(r.out, `Warning: 399 siaga112 "blocked until 2026-01-02T10:00:00+07:00"`) {
		t.Errorf("the 403 does not say until when the caller is blocked:\n%s", r.out)
	}
	if evs := server.events("blocked-1", []string{"rejected"}, 3*time.Second); len(evs) != 1 || evs[0].Reason != "blocked" || evs[0].Number != "+6281211122233" {
		t.Errorf("events of the blocked call: %+v, want one rejected (blocked) for +6281211122233", evs)
	}

	// The trunk's P-Asserted-Identity names the caller, not From.
	r = invite(t, e, "blocked-pai", "sip:anonymous@anonymous.invalid", "<tel:+62-812-1112-2233>")
	if r.status != "SIP/2.0 403 Caller blocked (prank calls)" {
		t.Errorf("blocked caller by P-Asserted-Identity: %q, want 403", r.status)
	}

	// A clean caller, no PBX configured: a definite 480 at once.
	r = invite(t, e, "clean-1", "sip:081299990000@trunk.example", "")
	t.Logf("clean, no PBX: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") {
		t.Fatalf("clean caller without a PBX: %q, want 480\n%s", r.status, r.out)
	}
	if evs := server.events("clean-1", []string{"ended"}, 3*time.Second); len(evs) != 1 || !strings.HasPrefix(evs[0].Reason, "480") {
		t.Errorf("events of the clean call: %+v, want one ended (480)", evs)
	}

	// A retransmit that arrives while siaga112 is being asked is absorbed
	// by the transaction: one question per call.
	slow := newCaller(t, fmt.Sprintf("127.0.0.1:%d", e.port), "slow-1", "<sip:081277776666@trunk.example>;tag=s1", "")
	slow.retransmit = true
	if m, prov := slow.call(); !strings.HasPrefix(m.first, "SIP/2.0 480") || !slices.Contains(prov, 100) {
		t.Errorf("slow admission: %q after %v, want 100 Trying then 480", m.first, prov)
	}
	if n := server.askCount("081277776666"); n != 1 {
		t.Errorf("the retransmitted INVITE asked siaga112 %d times, want once", n)
	}

	// siaga112 stopped: the connection is refused; the call fails open.
	server.stop()
	r = invite(t, e, "refused-1", "sip:+6281211122233@trunk.example", "")
	t.Logf("server stopped: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") || r.wall > 2*time.Second {
		t.Fatalf("server stopped: %q after %v, want 480 within 2 s\n%s", r.status, r.wall, r.out)
	}

	// A listener that accepts and never answers: fail open within 2 s.
	hung(t, addr)
	r = invite(t, e, "hung-1", "sip:+6281211122233@trunk.example", "")
	t.Logf("server hung: %q, sipsak: reply received %s after first send; sipsak ran %v", r.status, r.after, r.wall.Round(time.Millisecond))
	if !strings.HasPrefix(r.status, "SIP/2.0 480") || r.wall > 2*time.Second {
		t.Fatalf("server hung: %q after %v, want 480 within 2 s\n%s", r.status, r.wall, r.out)
	}

	// Each fail-open is logged with its cause.
	log := e.log.String()
	for _, cause := range []string{"connection was refused", "no answer within the 1 s timeout"} {
		if !strings.Contains(log, "failed open") || !strings.Contains(log, cause) {
			t.Errorf("the log does not say the call failed open because %s:\n%s", cause, log)
		}
	}
	if bad := server.contractBroken(); len(bad) > 0 {
		t.Errorf("requests that broke the contract: %q", bad)
	}
	if asks := server.asksCopy(); !slices.Contains(asks, "+6281211122233") {
		t.Errorf("admission asked for %q; want the From user, URL-escaped and decoded back", asks)
	}
}

func (s *standIn) askCount(number string) int {
	n := 0
	for _, a := range s.asksCopy() {
		if a == number {
			n++
		}
	}
	return n
}

func (s *standIn) asksCopy() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.asks...)
}

// TestKamailioWholeCall: with a PBX, an admitted call rings, is answered
// and hung up; the events arrive; a call that failed open posts none.
func TestKamailioWholeCall(t *testing.T) {
	server := startStandIn(t, "127.0.0.1:0")
	p := startPBX(t, 300*time.Millisecond)
	e := startEdge(t, map[string]string{"SIAGA112_URL": server.url(), "SIAGA112_TOKEN": phoneToken, "PBX_ADDR": p.addr()})
	proxy := fmt.Sprintf("127.0.0.1:%d", e.port)

	c := newCaller(t, proxy, "whole-1", "<sip:+6281299990000@trunk.example>;tag=w1", "")
	ok, prov := c.call()
	if ok.status() != 200 || !slices.Contains(prov, 180) {
		t.Fatalf("call: %q after %v, want 180 then 200", ok.first, prov)
	}
	time.Sleep(200 * time.Millisecond)
	if code := c.hangUp(ok); code != 200 {
		t.Fatalf("BYE: %d", code)
	}
	evs := server.events("whole-1", []string{"ringing", "answered", "ended"}, 3*time.Second)
	var kinds []string
	for _, ev := range evs {
		kinds = append(kinds, ev.Event)
		if ev.Number != "+6281299990000" {
			t.Errorf("event %+v names another number", ev)
		}
	}
	if !slices.Equal(kinds, []string{"ringing", "answered", "ended"}) || evs[2].Reason != "bye" {
		t.Fatalf("events %+v, want ringing, answered, ended (bye)", evs)
	}
	if got := p.methods(); !slices.Equal(got, []string{"INVITE", "ACK", "BYE"}) {
		t.Errorf("the PBX received %v, want INVITE, ACK, BYE", got)
	}

	// A final answer ≥ 300 from the PBX ends the call with its reason.
	busy := newCaller(t, proxy, "whole-busy", "<sip:"+busyUser+"@trunk.example>;tag=u1", "")
	if m, _ := busy.call(); m.status() != 486 {
		t.Fatalf("busy PBX: %q, want 486", m.first)
	}
	if evs := server.events("whole-busy", []string{"ended"}, 3*time.Second); len(evs) != 1 || evs[0].Reason != "486 Busy Here" {
		t.Errorf("events of the busy call: %+v, want ended (486 Busy Here)", evs)
	}

	// The caller hangs up while it rings: CANCEL, and the PBX's 487.
	gone := newCaller(t, proxy, "whole-cancel", "<sip:+6281299990002@trunk.example>;tag=c1", "")
	gone.cancel = true
	if m, _ := gone.call(); m.status() != 487 {
		t.Fatalf("cancelled call: %q, want 487", m.first)
	}
	if evs := server.events("whole-cancel", []string{"ringing", "ended"}, 3*time.Second); len(evs) != 2 || evs[1].Reason != "cancelled" {
		t.Errorf("events of the cancelled call: %+v, want ringing, ended (cancelled)", evs)
	}

	// The blocked caller never reaches the PBX.
	b := newCaller(t, proxy, "whole-blocked", "<sip:0812-1112-2233@trunk.example>;tag=b1", "")
	if m, _ := b.call(); m.status() != 403 {
		t.Fatalf("blocked caller with a PBX: %q, want 403", m.first)
	}
	invites := func() (n int) {
		for _, m := range p.methods() {
			if m == "INVITE" {
				n++
			}
		}
		return n
	}
	if n := invites(); n != 3 {
		t.Errorf("the PBX received %d INVITEs, want 3 (the blocked call must not reach it): %v", n, p.methods())
	}

	// siaga112 down: the call still goes through, and posts no events
	// (not even its BYE, from the mark in the route).
	server.stop()
	f := newCaller(t, proxy, "whole-open", "<sip:+6281299990001@trunk.example>;tag=f1", "")
	ok, _ = f.call()
	if ok.status() != 200 {
		t.Fatalf("fail-open call: %q, want 200 from the PBX", ok.first)
	}
	if code := f.hangUp(ok); code != 200 {
		t.Fatalf("BYE of the fail-open call: %d", code)
	}
	server2 := startStandIn(t, server.ln.Addr().String()) // back, to catch stray events
	time.Sleep(500 * time.Millisecond)
	if evs := server2.events("whole-open", nil, 0); len(evs) > 0 {
		t.Errorf("a call that failed open posted events: %+v", evs)
	}
}

// TestKamailioSettingsFromEnvironment: the two names work from the
// environment alone, and -A wins over the environment.
func TestKamailioSettingsFromEnvironment(t *testing.T) {
	server := startStandIn(t, "127.0.0.1:0")
	for _, tc := range []struct {
		name    string
		defines map[string]string
		env     []string
	}{
		{"environment alone", nil, []string{"SIAGA112_URL=" + server.url(), "SIAGA112_TOKEN=" + phoneToken}},
		{"-A wins", map[string]string{"SIAGA112_URL": server.url(), "SIAGA112_TOKEN": phoneToken},
			[]string{"SIAGA112_URL=http://127.0.0.1:9/", "SIAGA112_TOKEN=wrong"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := startEdge(t, tc.defines, tc.env...)
			r := invite(t, e, "env-"+strings.ReplaceAll(tc.name, " ", "-"), "sip:+6281211122233@trunk.example", "")
			if r.status != "SIP/2.0 403 Caller blocked (prank calls)" {
				t.Fatalf("%q, want 403 (the settings did not reach Kamailio)\n%s", r.status, r.out)
			}
		})
	}
	if bad := server.contractBroken(); len(bad) > 0 {
		t.Errorf("requests that broke the contract: %q", bad)
	}
}

// TestKamailioRefusesToStartUnconfigured: without the URL or the token it
// says what is missing and does not start.
func TestKamailioRefusesToStartUnconfigured(t *testing.T) {
	kamailio := needTool(t, "kamailio", "kamailio")
	for _, tc := range []struct {
		name, missing string
		args          []string
	}{
		{"no URL", "SIAGA112_URL is not set", []string{"-A", `SIAGA112_TOKEN="x"`}},
		{"no token", "SIAGA112_TOKEN is not set", []string{"-A", `SIAGA112_URL="http://127.0.0.1:8080"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(kamailio, append([]string{"-c", "-f", "siaga112.cfg"}, tc.args...)...)
			cmd.Env = slices.DeleteFunc(os.Environ(), func(s string) bool { return strings.HasPrefix(s, "SIAGA112_") })
			out, err := cmd.CombinedOutput()
			if err == nil || !strings.Contains(string(out), tc.missing) {
				t.Fatalf("err %v, output:\n%s", err, out)
			}
		})
	}
}

// TestConfigDefinesOnlyTheThreeSettings: the only defines are the
// documented settings, each guarded and read from the environment, and
// no listen= is active (the command line's -l decides).
func TestConfigDefinesOnlyTheThreeSettings(t *testing.T) {
	f, err := os.Open("siaga112.cfg")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	directive := regexp.MustCompile(`^#!(\w+)\s+(\w+)`)
	names := map[string][]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "listen=") || strings.HasPrefix(line, "listen =") {
			t.Errorf("an active listen line: %q", line)
		}
		if m := directive.FindStringSubmatch(line); m != nil {
			names[m[2]] = append(names[m[2]], m[1])
		}
	}
	want := []string{"PBX_ADDR", "SIAGA112_TOKEN", "SIAGA112_URL"}
	var got []string
	for n, ds := range names {
		got = append(got, n)
		if !slices.Contains(ds, "trydefenvs") || !slices.Contains(ds, "ifndef") || slices.Contains(ds, "trydefenv") {
			t.Errorf("%s: directives %v, want #!ifndef and #!trydefenvs", n, ds)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("defines %v, want %v", got, want)
	}
}

// syncBuffer collects a process's output for the log.
type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var _ io.Writer = (*syncBuffer)(nil)
