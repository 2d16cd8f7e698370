package web

import (
	"bufio"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// rawRequest sends one request with target exactly as written (no client
// cleans or escapes it) and reads the answer.
func rawRequest(t *testing.T, base, method, target string, header map[string]string) *http.Response {
	t.Helper()
	u, _ := url.Parse(base)
	c, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	req := method + " " + target + " HTTP/1.1\r\nHost: " + u.Host + "\r\nConnection: close\r\n"
	for k, v := range header {
		req += k + ": " + v + "\r\n"
	}
	if _, err := c.Write([]byte(req + "\r\n")); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

// Issue 22 (5): the ?token= sign-in redirects only to a path on this
// server. GET //evil.example/?token=<valid> answered 303 Location:
// //evil.example/, which a browser follows to another host.
func TestTokenSignInRedirectsOnlyHere(t *testing.T) {
	base, _ := authServer(t)
	bu, _ := url.Parse(base)
	for _, tt := range []struct{ name, target, want string }{
		{"plain", "/?token=" + adminToken + "&lang=id", "/?lang=id"},
		{"a page", "/planner.html?token=" + adminToken, "/planner.html"},
		{"a folder keeps its slash", "/docs/?token=" + adminToken, "/docs/"},
		{"two slashes", "//evil.example/?token=" + adminToken, "/evil.example/"},
		{"three slashes", "///evil.example?token=" + adminToken, "/evil.example"},
		{"slash backslash", `/\evil.example/?token=` + adminToken, "/evil.example/"},
		{"slash backslash slash", `/\/evil.example?token=` + adminToken, "/evil.example"},
		{"dot then backslash", `/./\evil.example?token=` + adminToken, "/evil.example"},
		{"up then two slashes", "/..//evil.example?token=" + adminToken, "/evil.example"},
		{"escaped slashes", "/%2F%2Fevil.example/?token=" + adminToken, "/evil.example/"},
		{"escaped backslash", "/%5Cevil.example/?token=" + adminToken, "/evil.example/"},
		{"scheme-like path", "/https:/evil.example?token=" + adminToken, "/https:/evil.example"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := rawRequest(t, base, "GET", tt.target, nil)
			loc := resp.Header.Get("Location")
			if resp.StatusCode != 303 || loc != tt.want {
				t.Fatalf("%d Location %q; want 303 to %q", resp.StatusCode, loc, tt.want)
			}
			// As a browser reads it: the same host, whatever the spelling.
			ref, err := url.Parse(strings.ReplaceAll(loc, `\`, "/"))
			if err != nil {
				t.Fatal(err)
			}
			if got := bu.ResolveReference(ref); got.Host != bu.Host || strings.HasPrefix(loc, "//") || strings.ContainsRune(loc, '\\') {
				t.Fatalf("Location %q leads to %s", loc, got)
			}
			if cookie(resp.Cookies(), sessionCookie) == nil {
				t.Fatal("no session cookie")
			}
		})
	}
}

// Issue 22 (6): logout is a write like the others: without the session's
// X-CSRF-Token it is refused (403) and the session goes on. Another site's
// form (Origin: https://evil.example) used to end it (204).
func TestLogoutNeedsCSRF(t *testing.T) {
	base, _ := authServer(t)
	jar, csrf := signIn(t, base, "sari", "dispatch-pass-1")
	for _, tt := range []struct {
		name   string
		header map[string]string
	}{
		{"another site's form", map[string]string{"Origin": "https://evil.example", "Content-Type": "application/x-www-form-urlencoded"}},
		{"no token", nil},
		{"a wrong token", map[string]string{csrfHeader: "guessed"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, "POST", base+"/api/logout", "", "", jar, tt.header)
			if resp.StatusCode != 403 || !strings.Contains(body, "CSRF") || cookie(resp.Cookies(), sessionCookie) != nil {
				t.Fatalf("%d %s (cookies %v); want 403 and the cookie left alone", resp.StatusCode, body, resp.Cookies())
			}
			if resp, body := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 200 {
				t.Fatalf("the session ended: %d %s", resp.StatusCode, body)
			}
		})
	}
	resp, body := send(t, "POST", base+"/api/logout", "", "", jar, csrf)
	if resp.StatusCode != 204 {
		t.Fatalf("logout with the token: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
	// Without a live session there is nothing to protect: 204, cookies cleared.
	if resp, body := send(t, "POST", base+"/api/logout", "", "", jar, nil); resp.StatusCode != 204 {
		t.Fatalf("logout of an ended session: %d %s", resp.StatusCode, body)
	}
}
