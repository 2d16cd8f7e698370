package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"siaga112/tracking"
	"siaga112/tracking/postgres/pgtest"
)

// callAs makes a request with a bearer token and returns the raw body.
func callAs(t *testing.T, token, method, url, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// Issue 13 with the real binary and PostgreSQL, across kill -9: the
// audit trail names the token that acted (in the events table, the
// timeline and GET /api/audit), and a number blocked under one spelling
// stays blocked under every other after the restart.
func TestAuditAndBlocksSurviveKill9(t *testing.T) {
	db := pgtest.URL(t)
	if testing.Short() {
		t.Skip("builds and kills the binary; skipped with -short")
	}
	cfg := testConfig(t)
	cmd, _ := startBinary(t, "--db", db, "--http", cfg.HTTP, "--mqtt-listen", cfg.MQTTListen)
	base := "http://" + cfg.HTTP
	code, body := callAs(t, testToken, "POST", base+"/api/tokens", `{"name":"cad-bridge","role":"dispatcher"}`)
	if code != 201 {
		t.Fatalf("issue: %d %s", code, body)
	}
	var tok struct{ Token string }
	json.Unmarshal(body, &tok)
	code, body = callAs(t, tok.Token, "POST", base+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"+62 813-5555-6666"}`)
	if code != 201 {
		t.Fatalf("create: %d %s", code, body)
	}
	var in tracking.Incident
	json.Unmarshal(body, &in)
	if in.Caller != "081355556666" {
		t.Fatalf("caller stored as %q", in.Caller)
	}
	if code, body := callAs(t, tok.Token, "POST", base+"/api/incidents/"+in.ID+"/close", ""); code != 200 {
		t.Fatalf("close: %d %s", code, body)
	}
	for i, n := range []string{"081355556666", "6281355556666", "006281355556666", "+62%20813-5555-6666", "0813-5555-6666", "6281355556666"} {
		if code, body := callAs(t, tok.Token, "POST", base+"/api/calls/"+n+"/prank", ""); code != 200 {
			t.Fatalf("prank %d as %s: %d %s", i, n, code, body)
		}
	}
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()

	cfg2 := testConfig(t)
	startBinary(t, "--db", db, "--http", cfg2.HTTP, "--mqtt-listen", cfg2.MQTTListen)
	base = "http://" + cfg2.HTTP
	for _, n := range []string{"081355556666", "6281355556666", "+62 813-5555-6666", "006281355556666"} {
		code, body := callAs(t, tok.Token, "POST", base+"/api/incidents", `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"`+n+`"}`)
		if code != 403 || !strings.Contains(string(body), "blocked") {
			t.Fatalf("after the restart, %s: %d %s", n, code, body)
		}
	}
	code, body = callAs(t, tok.Token, "GET", base+"/api/incidents/"+in.ID+"/timeline", "")
	var steps []tracking.Step
	if err := json.Unmarshal(body, &steps); code != 200 || err != nil || len(steps) != 2 ||
		steps[0].Action != "incident.created" || steps[0].Actor != "cad-bridge" || steps[1].Action != "incident.closed" || steps[1].Actor != "cad-bridge" {
		t.Fatalf("timeline after the restart: %d %s", code, body)
	}
	code, body = callAs(t, testToken, "GET", base+"/api/audit?format=csv", "")
	if code != 200 || !strings.Contains(string(body), ",admin,token.issued,token:") || strings.Count(string(body), ",cad-bridge,caller.prank,081355556666,") != 6 {
		t.Fatalf("audit after the restart: %d\n%s", code, body)
	}
	// The events table itself: every row has a principal for its actor.
	conn := pgtest.Conn(t, db)
	rows, err := conn.Query(context.Background(), `SELECT DISTINCT actor FROM events ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	var actors []string
	for rows.Next() {
		var a string
		rows.Scan(&a)
		actors = append(actors, a)
	}
	if strings.Join(actors, ",") != "admin,cad-bridge" {
		t.Fatalf("actors in events: %v", actors)
	}
}
