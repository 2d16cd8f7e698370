package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
	"siaga112/tracking/memstore"
	"siaga112/tracking/postgres"
	"siaga112/tracking/postgres/pgtest"
)

// signIn logs a user in and returns the session's cookies and CSRF token.
func signIn(t *testing.T, base, name, password string) ([]*http.Cookie, map[string]string) {
	t.Helper()
	resp, body := send(t, "POST", base+"/api/login", fmt.Sprintf(`{"name":%q,"password":%q}`, name, password), "", nil, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("login %s: %d %s", name, resp.StatusCode, body)
	}
	sess, csrf := cookie(resp.Cookies(), sessionCookie), cookie(resp.Cookies(), csrfCookie)
	return []*http.Cookie{sess, csrf}, map[string]string{csrfHeader: csrf.Value}
}

func TestUsersAPI(t *testing.T) {
	base, _ := authServer(t)
	long := strings.Repeat("x", 73)
	tests := []struct {
		name, method, path, body string
		status                   int
		has                      string
	}{
		{"list", "GET", "/api/users", "", 200, `"name":"sari","role":"dispatcher","disabled":false`},
		{"no hash in the list", "GET", "/api/users", "", 200, `"name":"budi"`},
		{"get one", "GET", "/api/users/sari", "", 200, `"role":"dispatcher"`},
		{"get unknown", "GET", "/api/users/nobody", "", 404, `no user`},
		{"patch nothing", "PATCH", "/api/users/sari", `{}`, 400, `nothing to change`},
		{"patch a bad role", "PATCH", "/api/users/sari", `{"role":"device"}`, 400, `not \"device\"`},
		{"patch unknown", "PATCH", "/api/users/nobody", `{"disabled":true}`, 404, `no user`},
		{"patch an unknown field", "PATCH", "/api/users/sari", `{"by":"mallory"}`, 400, `by`},
		{"a 73-byte password on create", "POST", "/api/users", `{"name":"ani","role":"dispatcher","password":"` + long + `"}`, 400, `at most 72`},
		{"a 73-byte password on patch", "PATCH", "/api/users/sari", `{"password":"` + long + `"}`, 400, `at most 72`},
		{"a 73-byte password at sign-in", "POST", "/api/login", `{"name":"sari","password":"` + long + `"}`, 400, `at most 72`},
		{"promote", "PATCH", "/api/users/budi", `{"role":"admin"}`, 200, `"role":"admin"`},
		{"delete", "DELETE", "/api/users/budi", "", 204, ``},
		{"delete again", "DELETE", "/api/users/budi", "", 404, `no user`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, base+tt.path, tt.body, adminToken, nil, nil)
			if resp.StatusCode != tt.status || !strings.Contains(body, tt.has) {
				t.Fatalf("%d %s, want %d with %s", resp.StatusCode, body, tt.status, tt.has)
			}
			if strings.Contains(body, "$2a$") || strings.Contains(body, "password_hash") {
				t.Fatalf("a password hash left the server: %s", body)
			}
		})
	}
}

func TestTokensAPI(t *testing.T) {
	base, _ := authServer(t)
	if _, body := send(t, "GET", base+"/api/tokens", "", adminToken, nil, nil); strings.TrimSpace(body) != "[]" {
		t.Fatalf("no tokens yet: %s", body)
	}
	resp, body := send(t, "POST", base+"/api/tokens", `{"name":"cad-bridge","role":"dispatcher"}`, adminToken, nil, nil)
	if resp.StatusCode != 201 {
		t.Fatalf("issue: %d %s", resp.StatusCode, body)
	}
	var id, secret string
	fmt.Sscanf(strings.NewReplacer(`"id":"`, " ", `"token":"`, " ", `"`, " ").Replace(body[strings.Index(body, `"id"`):]), "%s", &id)
	secret = body[strings.Index(body, `"token":"`)+9:]
	secret = secret[:strings.Index(secret, `"`)]
	if resp, _ := send(t, "GET", base+"/api/units", "", secret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("the new token: %d", resp.StatusCode)
	}
	resp, body = send(t, "GET", base+"/api/tokens", "", adminToken, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"id":"`+id+`","name":"cad-bridge","role":"dispatcher","created_at":"`) ||
		!strings.Contains(body, `"last_used":"`) || strings.Contains(body, secret) || strings.Contains(body, "hash") {
		t.Fatalf("list: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send(t, "GET", base+"/api/tokens", "", secret, nil, nil); resp.StatusCode != 403 {
		t.Fatalf("a dispatcher lists tokens: %d", resp.StatusCode)
	}
	if resp, body := send(t, "DELETE", base+"/api/tokens/"+id, "", adminToken, nil, nil); resp.StatusCode != 204 {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send(t, "GET", base+"/api/units", "", secret, nil, nil); resp.StatusCode != 401 {
		t.Fatalf("a revoked token: %d", resp.StatusCode)
	}
	if resp, _ := send(t, "DELETE", base+"/api/tokens/"+id, "", adminToken, nil, nil); resp.StatusCode != 404 {
		t.Fatalf("revoke twice: %d", resp.StatusCode)
	}
}

// Issue 13 item 2: demoting an admin ends the admin's session.
func TestDemotionEndsSessions(t *testing.T) {
	base, _ := authServer(t)
	if resp, _ := send(t, "POST", base+"/api/users", `{"name":"ani","role":"admin","password":"admin-pass-1"}`, adminToken, nil, nil); resp.StatusCode != 201 {
		t.Fatal(resp.StatusCode)
	}
	jar, csrf := signIn(t, base, "ani", "admin-pass-1")
	if resp, _ := send(t, "GET", base+"/api/users", "", "", jar, nil); resp.StatusCode != 200 {
		t.Fatalf("as admin: %d", resp.StatusCode)
	}
	if resp, _ := send(t, "PATCH", base+"/api/users/ani", `{"role":"dispatcher"}`, adminToken, nil, nil); resp.StatusCode != 200 {
		t.Fatal(resp.StatusCode)
	}
	if resp, _ := send(t, "POST", base+"/api/users", `{"name":"eve","role":"admin","password":"admin-pass-2"}`, "", jar, csrf); resp.StatusCode != 401 {
		t.Fatalf("the old admin session after demotion: %d", resp.StatusCode)
	}
	jar, _ = signIn(t, base, "ani", "admin-pass-1")
	if resp, _ := send(t, "GET", base+"/api/users", "", "", jar, nil); resp.StatusCode != 403 {
		t.Fatalf("signed in again after demotion: %d", resp.StatusCode)
	}
}

// dialLive opens the live feed with cookies or a bearer token and reads
// its snapshot.
func dialLive(t *testing.T, base string, jar []*http.Cookie, token string) *websocket.Conn {
	t.Helper()
	h := http.Header{}
	for _, c := range jar {
		h.Add("Cookie", c.String())
	}
	if token != "" {
		h.Set("Authorization", "Bearer "+token)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/api/live", &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	if _, _, err := c.Read(ctx); err != nil {
		t.Fatalf("snapshot: %v", err)
	}
	return c
}

// closedWithin waits for the server to close c.
func closedWithin(t *testing.T, c *websocket.Conn, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue // a message sent before the end
		}
		if ctx.Err() != nil {
			t.Fatalf("the live feed is still open %v later", d)
		}
		if websocket.CloseStatus(err) != websocket.StatusPolicyViolation {
			t.Fatalf("closed with %v, want policy violation (signed out)", err)
		}
		return
	}
}

// Issue 13 item 2: logout, changes and revocation close live feeds within
// a second; other feeds stay.
func TestLiveFeedEndsWithCredentials(t *testing.T) {
	tests := []struct {
		name   string
		end    func(t *testing.T, base string, jar []*http.Cookie, csrf map[string]string, tokenID string)
		bearer bool
	}{
		{"logout", func(t *testing.T, base string, jar []*http.Cookie, csrf map[string]string, _ string) {
			send(t, "POST", base+"/api/logout", "", "", jar, csrf)
		}, false},
		{"password change", func(t *testing.T, base string, _ []*http.Cookie, _ map[string]string, _ string) {
			send(t, "PATCH", base+"/api/users/sari", `{"password":"a-new-password"}`, adminToken, nil, nil)
		}, false},
		{"disable", func(t *testing.T, base string, _ []*http.Cookie, _ map[string]string, _ string) {
			send(t, "PATCH", base+"/api/users/sari", `{"disabled":true}`, adminToken, nil, nil)
		}, false},
		{"delete", func(t *testing.T, base string, _ []*http.Cookie, _ map[string]string, _ string) {
			send(t, "DELETE", base+"/api/users/sari", "", adminToken, nil, nil)
		}, false},
		{"token revoked", func(t *testing.T, base string, _ []*http.Cookie, _ map[string]string, id string) {
			send(t, "DELETE", base+"/api/tokens/"+id, "", adminToken, nil, nil)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base, acc := authServer(t)
			jar, csrf := signIn(t, base, "sari", "dispatch-pass-1")
			tok, secret, _ := acc.IssueToken(context.Background(), "wallboard", tracking.RoleDispatcher, "admin")
			var feed *websocket.Conn
			if tt.bearer {
				feed = dialLive(t, base, nil, secret)
			} else {
				feed = dialLive(t, base, jar, "")
			}
			other := dialLive(t, base, nil, adminToken)
			tt.end(t, base, jar, csrf, tok.ID)
			closedWithin(t, feed, time.Second)
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			if _, _, err := other.Read(ctx); !errors.Is(err, context.DeadlineExceeded) {
				t.Fatalf("another principal's feed: %v", err)
			}
		})
	}
}

// Issue 13 item 7: wrong bearer tokens are throttled per address, counted.
func TestBearerFlood(t *testing.T) {
	base, _ := authServer(t)
	for range accounts.SecretPolicy.Free + 1 {
		if resp, _ := send(t, "GET", base+"/api/units", "", "guessed-token", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("a wrong token: %d", resp.StatusCode)
		}
	}
	resp, body := send(t, "GET", base+"/api/units", "", adminToken, nil, nil)
	if resp.StatusCode != 429 || !strings.Contains(body, "try again") {
		t.Fatalf("the right token from a guessing address: %d %s", resp.StatusCode, body)
	}
	jar, _ := signIn(t, base, "sari", "dispatch-pass-1") // a session is no bearer token
	_, body = send(t, "GET", base+"/metrics", "", "", jar, nil)
	for _, want := range []string{
		fmt.Sprintf(`siaga112_auth_refused_total{kind="bearer",reason="wrong"} %d`, accounts.SecretPolicy.Free+1),
		`siaga112_auth_refused_total{kind="bearer",reason="throttled"} 1`,
	} {
		if !strings.Contains(body, want) {
			t.Fatalf("metrics lack %s", want)
		}
	}
}

// Issue 13 item 6: sign-in only from this server's own pages.
func TestSignInSameOrigin(t *testing.T) {
	base, _ := authServer(t)
	login := `{"name":"sari","password":"dispatch-pass-1"}`
	tests := []struct {
		name, method, path, body string
		header                   map[string]string
		status                   int
	}{
		{"login from another site's form", "POST", "/api/login", login, map[string]string{"Origin": "https://evil.example", "Content-Type": "text/plain"}, 403},
		{"login, cross-site fetch", "POST", "/api/login", login, map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"login, sibling site", "POST", "/api/login", login, map[string]string{"Sec-Fetch-Site": "same-site"}, 403},
		{"login, null origin", "POST", "/api/login", login, map[string]string{"Origin": "null"}, 403},
		{"login from the page", "POST", "/api/login", login, map[string]string{"Origin": base, "Sec-Fetch-Site": "same-origin"}, 200},
		{"login from curl", "POST", "/api/login", login, nil, 200},
		{"?token= from another site's link", "GET", "/?token=" + adminToken, "", map[string]string{"Sec-Fetch-Site": "cross-site"}, 403},
		{"?token= typed in", "GET", "/?token=" + adminToken, "", map[string]string{"Sec-Fetch-Site": "none"}, 303},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, base+tt.path, tt.body, "", nil, tt.header)
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status == 403 && cookie(resp.Cookies(), sessionCookie) != nil {
				t.Fatal("a refused sign-in set a session cookie")
			}
		})
	}
}

func TestSecurityHeaders(t *testing.T) {
	base, _ := authServer(t)
	tests := []struct {
		name, path string
		status     int
	}{
		{"page", "/", 200}, {"script", "/app.js", 200}, {"api error", "/api/units", 401},
		{"no listing of vendor", "/vendor/", 404}, {"no listing deeper", "/vendor/leaflet/", 404},
		{"files in vendor still served", "/vendor/leaflet/leaflet.js", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, _ := send(t, "GET", base+tt.path, "", "", nil, nil)
			h := resp.Header
			if resp.StatusCode != tt.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.status)
			}
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"script-src 'self';", "style-src 'self';", "frame-ancestors 'none'", "img-src 'self' data: https://tile.openstreetmap.org;"} {
				if !strings.Contains(csp, want) {
					t.Fatalf("CSP %q lacks %q", csp, want)
				}
			}
			if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("Referrer-Policy") != "no-referrer" || h.Get("X-Frame-Options") != "DENY" {
				t.Fatalf("headers %v", h)
			}
		})
	}
}

func TestTileSource(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"osm", DefaultTiles, "https://tile.openstreetmap.org"},
		{"subdomains", "https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"},
		{"with port", "http://127.0.0.1:8099/{z}/{x}/{y}.png", "http://127.0.0.1:8099"},
		{"on this server", "/tiles/{z}/{x}/{y}.png", ""},
		{"not http", "javascript:alert(1)", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tileSource(tt.in); got != tt.want {
				t.Fatalf("tileSource(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

// Issue 13 item 9: anonymous /healthz says only ok or degraded.
func TestHealthDetailsNeedCredentials(t *testing.T) {
	acc := newAccounts(t, memstore.NewAccounts())
	outage := errors.New("database unreachable (dial tcp siaga@db.internal:5432 user=siaga112)")
	st := newStackWith(t, StackOptions{Accounts: acc})
	st.srv.cfg.Checks = map[string]Check{"database": func() error { return outage }} // before any request
	resp, body := send(t, "GET", st.url+"/healthz", "", "", nil, nil)
	if resp.StatusCode != 503 || strings.TrimSpace(body) != `{"status":"degraded"}` {
		t.Fatalf("anonymous: %d %s", resp.StatusCode, body)
	}
	if _, body := send(t, "GET", st.url+"/healthz", "", "wrong-token", nil, nil); strings.Contains(body, "db.internal") {
		t.Fatalf("a wrong token saw details: %s", body)
	}
	if resp, body := send(t, "GET", st.url+"/healthz", "", adminToken, nil, nil); resp.StatusCode != 503 || !strings.Contains(body, "db.internal") {
		t.Fatalf("with a token: %d %s", resp.StatusCode, body)
	}
}

// Issue 13 item 1 against the real PostgreSQL: users, tokens and sessions
// survive a restart of the server and its store.
func TestAccountsSurviveRestart(t *testing.T) {
	dbURL := pgtest.URL(t)
	start := func() (string, func()) {
		pg, err := postgres.Open(context.Background(), dbURL, postgres.Config{})
		if err != nil {
			t.Fatal(err)
		}
		acc := newAccounts(t, pg)
		st := newStackWith(t, StackOptions{Accounts: acc})
		var once sync.Once
		stop := func() { once.Do(func() { st.ts.Close(); st.srv.Close(); pg.Close(context.Background()) }) }
		t.Cleanup(stop)
		return st.url, stop
	}
	base, stop := start()
	if resp, _ := send(t, "POST", base+"/api/users", `{"name":"disp2","role":"dispatcher","password":"dispatch-pass-2"}`, adminToken, nil, nil); resp.StatusCode != 201 {
		t.Fatal(resp.StatusCode)
	}
	_, body := send(t, "POST", base+"/api/tokens", `{"name":"cad","role":"planner"}`, adminToken, nil, nil)
	secret := body[strings.Index(body, `"token":"`)+9:]
	secret = secret[:strings.Index(secret, `"`)]
	jar, csrf := signIn(t, base, "disp2", "dispatch-pass-2")
	stop()

	base, stop = start()
	if _, body := send(t, "GET", base+"/api/users", "", adminToken, nil, nil); !strings.Contains(body, `"name":"disp2"`) {
		t.Fatalf("users after restart: %s", body)
	}
	if resp, _ := send(t, "GET", base+"/api/plans", "", secret, nil, nil); resp.StatusCode != 200 {
		t.Fatalf("token after restart: %d", resp.StatusCode)
	}
	if resp, body := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 200 || !strings.Contains(body, `"name":"disp2"`) {
		t.Fatalf("session after restart: %d %s", resp.StatusCode, body)
	}
	signIn(t, base, "disp2", "dispatch-pass-2")
	// Logging out is for good: the next restart does not bring it back.
	send(t, "POST", base+"/api/logout", "", "", jar, csrf)
	stop()
	base, _ = start()
	if resp, _ := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 401 {
		t.Fatalf("a logged-out session after restart: %d", resp.StatusCode)
	}
}

// Issue 13 item 3 through HTTP: five wrong passwords for disp2 from one
// address refuse neither the real disp2 elsewhere nor another name behind
// the failing address.
func TestLoginThrottleByNameAndAddress(t *testing.T) {
	acc := newAccounts(t, memstore.NewAccounts())
	st := newStackWith(t, StackOptions{Accounts: acc})
	for _, n := range []string{"disp2", "sari"} {
		if _, err := acc.AddUser(context.Background(), n, tracking.RoleDispatcher, "right-pass-"+n, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	login := func(name, password, from string) int {
		r := httptest.NewRequest("POST", "/api/login", strings.NewReader(fmt.Sprintf(`{"name":%q,"password":%q}`, name, password)))
		r.RemoteAddr = from
		w := httptest.NewRecorder()
		st.srv.ServeHTTP(w, r)
		return w.Code
	}
	attacker, nat, home := "203.0.113.5:40000", "203.0.113.5:40001", "198.51.100.20:5000"
	for i := range 5 {
		if code := login("disp2", "guess-guess", attacker); code != 401 && code != 429 {
			t.Fatalf("guess %d: %d", i+1, code)
		}
	}
	tests := []struct {
		name, user, pass, from string
		want                   int
	}{
		{"the guesser waits, even with the right password", "disp2", "right-pass-disp2", attacker, 429},
		{"the real disp2 from another address", "disp2", "right-pass-disp2", home, 200},
		{"another name behind the same address", "sari", "right-pass-sari", nat, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code := login(tt.user, tt.pass, tt.from); code != tt.want {
				t.Fatalf("%d, want %d", code, tt.want)
			}
		})
	}
}
