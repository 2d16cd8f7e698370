package main

import (
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"siaga112/tracking/postgres/pgtest"
)

// Issue 13 item 7: a short admin token stops the server with a sentence.
func TestShortAdminTokenStops(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary; skipped with -short")
	}
	cfg := testConfig(t)
	cmd := exec.Command(binary(t), "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen)
	cmd.Env = append(os.Environ(), "SIAGA112_ADMIN_TOKEN=x")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "SIAGA112_ADMIN_TOKEN has 1 characters; it must have at least 20") {
		t.Fatalf("a one-character admin token: %v\n%s", err, out)
	}
}

// Issue 13 item 1 with the real binary and PostgreSQL: a dispatcher
// added before kill -9 signs in after the restart, with the same session.
func TestAccountsSurviveKill9(t *testing.T) {
	db := pgtest.URL(t)
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped with -short")
	}
	cfg := testConfig(t)
	cmd, _ := startBinary(t, "--db", db, "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen)
	base := "http://" + cfg.HTTP
	if code, body := call(t, "POST", base+"/api/users", `{"name":"disp2","role":"dispatcher","password":"dispatch-pass-2"}`); code != 201 {
		t.Fatalf("add user: %d %v", code, body)
	}
	code, tok := call(t, "POST", base+"/api/tokens", `{"name":"wall","role":"planner"}`)
	if code != 201 {
		t.Fatalf("issue token: %d %v", code, tok)
	}
	login := func(base string) *http.Response {
		resp, err := http.Post(base+"/api/login", "application/json", strings.NewReader(`{"name":"disp2","password":"dispatch-pass-2"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp
	}
	first := login(base)
	if first.StatusCode != 200 {
		t.Fatalf("login: %d", first.StatusCode)
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	cfg2 := testConfig(t)
	startBinary(t, "--db", db, "--http", cfg2.HTTP, "--mqtt-listen", cfg2.MQTTListen)
	base = "http://" + cfg2.HTTP
	if resp := login(base); resp.StatusCode != 200 {
		t.Fatalf("login after kill -9: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("GET", base+"/api/me", nil)
	for _, c := range first.Cookies() {
		req.AddCookie(c)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("the session after kill -9: %d", resp.StatusCode)
	}
	req, _ = http.NewRequest("GET", base+"/api/plans", nil)
	req.Header.Set("Authorization", "Bearer "+tok["token"].(string))
	client := &http.Client{Timeout: 5 * time.Second}
	if resp, err := client.Do(req); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the token after kill -9: %v %v", resp, err)
	}
}
