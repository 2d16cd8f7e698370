package web

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
	"siaga112/tracking/memstore"
)

const adminToken = "admin-token-for-tests"

func newAccounts(t testing.TB, store tracking.AccountStore) *accounts.Service {
	t.Helper()
	// A stopped clock: throttling delays never pass while slow bcrypt runs
	// (under -race), so the tests do not depend on the machine's speed.
	at := time.Now()
	acc, err := accounts.New(context.Background(), accounts.Config{Store: store, AdminToken: adminToken, Now: func() time.Time { return at }})
	if err != nil {
		t.Fatal(err)
	}
	return acc
}

func authServer(t *testing.T) (string, *accounts.Service) {
	t.Helper()
	acc := newAccounts(t, memstore.NewAccounts())
	st := newStackWith(t, StackOptions{Accounts: acc})
	for _, u := range []struct {
		name string
		role tracking.Role
		pass string
	}{{"sari", tracking.RoleDispatcher, "dispatch-pass-1"}, {"budi", tracking.RolePlanner, "planner-pass-1"}} {
		if _, err := acc.AddUser(context.Background(), u.name, u.role, u.pass, "admin"); err != nil {
			t.Fatal(err)
		}
	}
	return st.url, acc
}

// issue makes a bearer token for tests.
func issue(t *testing.T, acc *accounts.Service, name string, role tracking.Role) string {
	t.Helper()
	_, secret, err := acc.IssueToken(context.Background(), name, role, "admin")
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// send makes a request with optional bearer token, cookies and headers.
func send(t *testing.T, method, url, body, token string, cookies []*http.Cookie, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for _, c := range cookies {
		req.AddCookie(c)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestAuthRequired(t *testing.T) {
	base, acc := authServer(t)
	dispatcherToken := issue(t, acc, "script", tracking.RoleDispatcher)
	plannerToken := issue(t, acc, "report", tracking.RolePlanner)
	deviceToken := issue(t, acc, "AMB-1", tracking.RoleDevice)
	incident := `{"category":"medical","lat":-6.110699,"lon":106.177791,"caller":"0811"}`
	tests := []struct {
		name, method, path, body, token string
		status                          int
	}{
		{"no credentials on the API", "GET", "/api/units", "", "", 401},
		{"no credentials on metrics", "GET", "/metrics", "", "", 401},
		{"a bad token", "GET", "/api/units", "", "made-up", 401},
		{"health stays public", "GET", "/healthz", "", "", 200},
		{"the page stays public", "GET", "/", "", "", 200},
		{"a dispatcher reads", "GET", "/api/units", "", dispatcherToken, 200},
		{"a dispatcher creates", "POST", "/api/incidents", incident, dispatcherToken, 201},
		{"a planner may not create", "POST", "/api/incidents", incident, plannerToken, 403},
		{"a planner reads analytics routes' data", "GET", "/api/plans", "", plannerToken, 200},
		{"a dispatcher may not register units", "PUT", "/api/units/AMB-1", `{"type":"ambulance","agency":"dinkes"}`, dispatcherToken, 403},
		{"a device has no HTTP", "GET", "/api/units", "", deviceToken, 403},
		{"an admin registers", "PUT", "/api/units/AMB-1", `{"type":"ambulance","agency":"dinkes"}`, adminToken, 201},
		{"an admin may dispatch too", "POST", "/api/incidents", incident, adminToken, 201},
		{"a dispatcher may not add users", "POST", "/api/users", `{"name":"x","role":"admin","password":"0123456789"}`, dispatcherToken, 403},
		{"an admin adds users", "POST", "/api/users", `{"name":"ani","role":"dispatcher","password":"0123456789"}`, adminToken, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := send(t, tt.method, base+tt.path, tt.body, tt.token, nil, nil)
			if resp.StatusCode != tt.status {
				t.Fatalf("%d %s, want %d", resp.StatusCode, body, tt.status)
			}
			if tt.status >= 400 && strings.HasPrefix(tt.path, "/api/") && !strings.Contains(body, `"error"`) {
				t.Fatalf("error without a sentence: %s", body)
			}
		})
	}
}

func cookie(cs []*http.Cookie, name string) *http.Cookie {
	for _, c := range cs {
		if c.Name == name {
			return c
		}
	}
	return nil
}

func TestBrowserSession(t *testing.T) {
	base, _ := authServer(t)
	// ?token= signs in and the address loses the token.
	resp, _ := send(t, "GET", base+"/?token="+adminToken+"&lang=id", "", "", nil, nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/?lang=id" {
		t.Fatalf("token sign-in: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	sess, csrf := cookie(resp.Cookies(), sessionCookie), cookie(resp.Cookies(), csrfCookie)
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || csrf == nil || csrf.HttpOnly {
		t.Fatalf("cookies %+v", resp.Cookies())
	}
	jar := []*http.Cookie{sess, csrf}
	if resp, body := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 200 || !strings.Contains(body, `"role":"admin"`) {
		t.Fatalf("me: %d %s", resp.StatusCode, body)
	}
	incident := `{"category":"stunting","lat":-6.110699,"lon":106.177791,"caller":"0811"}`
	if resp, body := send(t, "POST", base+"/api/incidents", incident, "", jar, nil); resp.StatusCode != 403 || !strings.Contains(body, "CSRF") {
		t.Fatalf("cookie POST without CSRF: %d %s", resp.StatusCode, body)
	}
	if resp, body := send(t, "POST", base+"/api/incidents", incident, "", jar, map[string]string{csrfHeader: csrf.Value}); resp.StatusCode != 201 {
		t.Fatalf("cookie POST with CSRF: %d %s", resp.StatusCode, body)
	}
	if resp, _ := send(t, "GET", base+"/?token=wrong", "", "", nil, nil); resp.StatusCode != 401 {
		t.Fatalf("bad token in the address: %d", resp.StatusCode)
	}
	// Name and password, and sign out.
	resp, _ = send(t, "POST", base+"/api/login", `{"name":"sari","password":"dispatch-pass-1"}`, "", nil, nil)
	if resp.StatusCode != 200 || cookie(resp.Cookies(), sessionCookie) == nil {
		t.Fatalf("login: %d", resp.StatusCode)
	}
	jar = []*http.Cookie{cookie(resp.Cookies(), sessionCookie)}
	send(t, "POST", base+"/api/logout", "", "", jar, map[string]string{csrfHeader: cookie(resp.Cookies(), csrfCookie).Value})
	if resp, _ := send(t, "GET", base+"/api/me", "", "", jar, nil); resp.StatusCode != 401 {
		t.Fatalf("after logout: %d", resp.StatusCode)
	}
}

func TestLoginRateLimit(t *testing.T) {
	acc := newAccounts(t, memstore.NewAccounts())
	base := newStackWith(t, StackOptions{Accounts: acc}).url
	if _, err := acc.AddUser(context.Background(), "sari", tracking.RoleDispatcher, "dispatch-pass-1", "admin"); err != nil {
		t.Fatal(err)
	}
	for i := range accounts.LoginPolicy.Free + 1 {
		if resp, _ := send(t, "POST", base+"/api/login", `{"name":"sari","password":"guess"}`, "", nil, nil); resp.StatusCode != 401 {
			t.Fatalf("failure %d: %d", i+1, resp.StatusCode)
		}
	}
	// Now even the right password waits, from this address.
	if resp, body := send(t, "POST", base+"/api/login", `{"name":"sari","password":"dispatch-pass-1"}`, "", nil, nil); resp.StatusCode != 429 {
		t.Fatalf("after %d failures: %d %s", accounts.LoginPolicy.Free+1, resp.StatusCode, body)
	}
}

func TestDeviceCredentials(t *testing.T) {
	base, _ := authServer(t)
	resp, body := send(t, "PUT", base+"/api/units/AMB-7", `{"type":"ambulance","agency":"dinkes"}`, adminToken, nil, nil)
	if resp.StatusCode != 201 || !strings.Contains(body, `"mqtt":{"username":"AMB-7","password":"`) {
		t.Fatalf("register: %d %s", resp.StatusCode, body)
	}
	if _, body := send(t, "PUT", base+"/api/units/AMB-7", `{"type":"ambulance","agency":"dinkes"}`, adminToken, nil, nil); strings.Contains(body, `"mqtt"`) {
		t.Fatalf("the password was shown again: %s", body)
	}
	if _, body := send(t, "GET", base+"/api/units/AMB-7", "", adminToken, nil, nil); strings.Contains(body, "password") || strings.Contains(body, "sha256:") {
		t.Fatalf("a unit shows its secret: %s", body)
	}
	resp, body = send(t, "POST", base+"/api/units/AMB-7/credentials", "", adminToken, nil, nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `"password":"`) {
		t.Fatalf("rotate: %d %s", resp.StatusCode, body)
	}
}
