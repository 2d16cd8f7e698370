package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"siaga112/tracking/app"
	"siaga112/tracking/postgres/pgtest"
)

const raceAdmin = "accounts-race-admin-token-0123456789"

// instance is one server on a shared database, served over HTTP.
type instance struct {
	app *app.App
	url string
}

func startInstance(t *testing.T, db string) *instance {
	t.Helper()
	a, err := app.New(context.Background(), app.Config{NoMQTT: true, AdminToken: raceAdmin, DB: db}, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Web)
	t.Cleanup(func() { srv.Close(); a.Close() })
	return &instance{app: a, url: srv.URL}
}

// call sends a request as the bearer of token and returns the status and body.
func (in *instance) call(t *testing.T, token, method, path, body string) (int, []byte) {
	return in.callFrom(t, http.DefaultClient, token, method, path, body)
}

// sources counts the loopback addresses handed out by fresh.
var sources atomic.Uint32

// fresh is a client calling from a loopback address of its own: a 401
// counts against its address, and ten of them would throttle every later
// call from one address (the admin's included).
func fresh() *http.Client {
	n := sources.Add(1)
	ip := net.IPv4(127, 1+byte(n>>16), byte(n>>8), byte(n))
	d := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext, DisableKeepAlives: true}}
}

func (in *instance) callFrom(t *testing.T, c *http.Client, token, method, path, body string) (int, []byte) {
	req, err := http.NewRequest(method, in.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Error(err)
		return 0, nil
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Issue 22 item 14 and issue 23's fault: one instance issues and revokes
// tokens in a tight loop while a second instance starts and then changes
// accounts without pause (each of its changes tells the first to read
// accounts back), issuing and revoking tokens of its own among them, and
// while further instances start one after another (each reads the
// accounts once, then hears of the changes made since: a token issued
// between the two must not be missed). Every token answered 201 works at
// once on its instance and afterwards on every instance; every token whose
// delete got 204 is refused at once and afterwards on every instance.
// Before the change path, the first instance's Reload cleared and refilled
// its memory from a read made a moment earlier, losing tokens issued and
// restoring tokens revoked since.
func TestTokensHoldWhileTheOtherInstanceChangesAccounts(t *testing.T) {
	db := pgtest.URL(t)
	iterations := 1000
	if testing.Short() {
		iterations = 100
	}
	a := startInstance(t, db)

	var (
		mu              sync.Mutex
		kept, revoked   []string // token secrets
		lost, revived   []string // what went wrong on A at once
		bReady          = make(chan struct{}, 1)
		aDone           = make(chan struct{})
		wg              sync.WaitGroup
		userChanges     int
		startedB        bool
		startBAtIssue   = iterations / 10
		userChangeFails []string
	)
	// cycle issues a token on in, uses it, and with revoke revokes it and
	// uses it again; false when the issue failed.
	cycle := func(in *instance, name string, revoke bool) bool {
		code, body := in.call(t, raceAdmin, "POST", "/api/tokens", fmt.Sprintf(`{"name":%q,"role":"dispatcher"}`, name))
		if code != http.StatusCreated {
			t.Errorf("issue %s: %d %s", name, code, body)
			return false
		}
		var tok struct{ ID, Token string }
		json.Unmarshal(body, &tok)
		if code, _ := in.callFrom(t, fresh(), tok.Token, "GET", "/api/units", ""); code != http.StatusOK {
			mu.Lock()
			lost = append(lost, fmt.Sprintf("%s (%s): %d right after its 201", name, tok.ID, code))
			mu.Unlock()
		}
		if !revoke {
			mu.Lock()
			kept = append(kept, tok.Token)
			mu.Unlock()
			return true
		}
		if code, body := in.call(t, raceAdmin, "DELETE", "/api/tokens/"+tok.ID, ""); code != http.StatusNoContent {
			mu.Lock()
			lost = append(lost, fmt.Sprintf("%s (%s): revoking it answered %d %s", name, tok.ID, code, body))
			mu.Unlock()
			return true
		}
		mu.Lock()
		revoked = append(revoked, tok.Token)
		mu.Unlock()
		if code, _ := in.callFrom(t, fresh(), tok.Token, "GET", "/api/units", ""); code != http.StatusUnauthorized {
			mu.Lock()
			revived = append(revived, fmt.Sprintf("%s (%s): %d right after its 204", name, tok.ID, code))
			mu.Unlock()
		}
		return true
	}
	// Later instances start one after another while A issues; each is
	// checked afterwards like A and B.
	var (
		later     []*instance
		laterDone = make(chan struct{})
	)
	startLater := make(chan struct{}, 8)
	go func() {
		defer close(laterDone)
		for range startLater {
			in := startInstance(t, db)
			mu.Lock()
			later = append(later, in)
			mu.Unlock()
		}
	}()
	wg.Add(2)
	go func() { // A: issue, use, revoke every other one, use again
		defer wg.Done()
		defer close(aDone)
		defer close(startLater)
		for i := range iterations {
			if i == startBAtIssue {
				mu.Lock()
				startedB = true
				mu.Unlock()
				bReady <- struct{}{} // B starts now, while A goes on
			}
			if i > 0 && i%(iterations/5) == 0 {
				select {
				case startLater <- struct{}{}: // another instance starts now
				default:
				}
			}
			if !cycle(a, fmt.Sprintf("race-token-%d", i), i%2 == 1) {
				return
			}
		}
	}()
	var b *instance
	go func() { // B: starts while A issues, then changes accounts until A is done
		defer wg.Done()
		select {
		case <-bReady:
		case <-aDone:
			return
		}
		b = startInstance(t, db)
		for j := 0; ; j++ {
			select {
			case <-aDone:
				return
			default:
			}
			// One user, changed without pause, deleted and made again now
			// and then (bcrypt takes seconds under -race).
			name := "race-user"
			s := struct{ method, path, body string }{"PATCH", "/api/users/" + name, `{"role":"` + []string{"planner", "dispatcher"}[j%2] + `"}`}
			switch j % 100 {
			case 0:
				s = struct{ method, path, body string }{"POST", "/api/users", `{"name":"` + name + `","role":"dispatcher","password":"race-password-1"}`}
			case 99:
				s = struct{ method, path, body string }{"DELETE", "/api/users/" + name, ""}
			}
			if code, body := b.call(t, raceAdmin, s.method, s.path, s.body); code >= 500 {
				mu.Lock()
				userChangeFails = append(userChangeFails, fmt.Sprintf("%s %s: %d %s", s.method, s.path, code, body))
				mu.Unlock()
			}
			if j%5 == 0 { // and tokens of its own, which A must hear of
				cycle(b, fmt.Sprintf("race-token-b%d", j), j%10 == 5)
			}
			mu.Lock()
			userChanges++
			mu.Unlock()
		}
	}()
	wg.Wait()
	<-laterDone
	if !startedB {
		t.Fatal("B never started")
	}
	if b == nil {
		t.Fatal("B did not start")
	}
	t.Logf("%d tokens issued on A and B (%d kept, %d revoked) while B made %d account changes and %d more instances started",
		len(kept)+len(revoked), len(kept), len(revoked), userChanges, len(later))
	if len(later) == 0 {
		t.Error("no later instance started")
	}
	for _, f := range userChangeFails {
		t.Errorf("B: %s", f)
	}
	for _, l := range lost {
		t.Error("A lost a token: " + l)
	}
	for _, r := range revived {
		t.Error("A kept a revoked token: " + r)
	}

	// Afterwards, on every instance, once each has heard the others
	// (notices take moments, not seconds).
	all := []struct {
		name string
		*instance
	}{{"A", a}, {"B", b}}
	for i, in := range later {
		all = append(all, struct {
			name string
			*instance
		}{fmt.Sprintf("C%d", i+1), in})
	}
	for _, in := range all {
		var wrong []string
		deadline := time.Now().Add(5 * time.Second)
		for {
			wrong = wrong[:0]
			for _, tok := range kept {
				if code, _ := in.callFrom(t, fresh(), tok, "GET", "/api/units", ""); code != http.StatusOK {
					wrong = append(wrong, fmt.Sprintf("a kept token answers %d", code))
				}
			}
			for _, tok := range revoked {
				if code, _ := in.callFrom(t, fresh(), tok, "GET", "/api/units", ""); code != http.StatusUnauthorized {
					wrong = append(wrong, fmt.Sprintf("a revoked token answers %d", code))
				}
			}
			if len(wrong) == 0 || time.Now().After(deadline) {
				break
			}
			time.Sleep(200 * time.Millisecond)
		}
		if len(wrong) > 0 {
			t.Errorf("on %s afterwards, %d of %d tokens are wrong; first: %s", in.name, len(wrong), len(kept)+len(revoked), wrong[0])
		}
	}
}
