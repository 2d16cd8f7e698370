package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"github.com/coder/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
)

// Cookie names of a browser session.
const (
	sessionCookie = "siaga112_session" // HttpOnly: the session id
	csrfCookie    = "siaga112_csrf"    // readable: the page echoes it in X-CSRF-Token
	csrfHeader    = "X-CSRF-Token"
)

// Accounts is what the web layer needs of the accounts service
// (accounts.Service is one): who a request is, the sessions of the page,
// and the admins' users and tokens. Its metrics go to the server's
// registry.
type Accounts interface {
	prometheus.Collector
	// Who a request is.
	Token(ctx context.Context, secret, addr string) (tracking.Principal, error)
	Login(ctx context.Context, name, password, addr string) (tracking.Principal, error)
	Session(id string) (tracking.Principal, string, bool)
	Valid(p tracking.Principal, sessionID string) bool
	// Ended is closed when a session, user or token ends or changes (live
	// connections recheck).
	Ended() <-chan struct{}
	NewSession(ctx context.Context, p tracking.Principal) (id, csrf string, err error)
	EndSession(ctx context.Context, id string) error
	// The admins' side.
	Users() []tracking.User
	User(name string) (tracking.User, error)
	AddUserFor(ctx context.Context, name string, role tracking.Role, agency, password, actor string) (tracking.User, error)
	UpdateUser(ctx context.Context, name string, p accounts.UserPatch, actor string) (tracking.User, error)
	DeleteUser(ctx context.Context, name, actor string) error
	Tokens() []tracking.Token
	IssueToken(ctx context.Context, name string, role tracking.Role, actor string) (tracking.Token, string, error)
	DeleteToken(ctx context.Context, id, actor string) error
}

type principalKey struct{}

// credential is who a request comes from, and the session it rode on
// ("" for a bearer token).
type credential struct {
	p       tracking.Principal
	session string
}

// principalOf is who the request comes from (set by the auth wrapper).
func principalOf(r *http.Request) (tracking.Principal, bool) {
	c, ok := r.Context().Value(principalKey{}).(credential)
	return c.p, ok
}

// Who may call what. Admins may call everything; devices nothing over HTTP.
var (
	readers     = []tracking.Role{tracking.RoleDispatcher, tracking.RolePlanner}
	dispatchers = []tracking.Role{tracking.RoleDispatcher}
	planners    = []tracking.Role{tracking.RolePlanner}
	adminsOnly  = []tracking.Role{}
	// Agency users reach only the routes that serve them their own
	// incidents (agency.go); the rest answer 403.
	withAgencies           = []tracking.Role{tracking.RoleDispatcher, tracking.RolePlanner, tracking.RoleAgency}
	dispatchersAndAgencies = []tracking.Role{tracking.RoleDispatcher, tracking.RoleAgency}
	agenciesOnly           = []tracking.Role{tracking.RoleAgency}
)

// guard wraps h so that only the roles named (and admins) reach it. Without
// Accounts configured the API is open (tests and embedding).
func (s *Server) guard(roles []tracking.Role, h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.Auth == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if c.p.Role != tracking.RoleAdmin && !slices.Contains(roles, c.p.Role) {
			s.writeError(w, r, tracking.Errorf(tracking.CodeForbidden, "%s %s is not allowed for the %s role", r.Method, r.URL.Path, c.p.Role))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, c)))
	}
}

// remoteAddr is the peer's address (no proxy headers are trusted).
func remoteAddr(r *http.Request) string {
	if h, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return h
	}
	return r.RemoteAddr
}

// authenticate reads a bearer token or a session cookie. A cookie-borne
// request that changes anything must echo the session's CSRF token.
func (s *Server) authenticate(r *http.Request) (credential, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, _ := strings.CutPrefix(h, "Bearer ")
		p, err := s.cfg.Auth.Token(r.Context(), strings.TrimSpace(tok), remoteAddr(r))
		return credential{p: p}, err
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return credential{}, tracking.Errorf(tracking.CodeUnauthenticated, "sign in first: POST /api/login, open the page with ?token=…, or send Authorization: Bearer <token>")
	}
	p, csrf, ok := s.cfg.Auth.Session(c.Value)
	if !ok {
		return credential{}, tracking.Errorf(tracking.CodeUnauthenticated, "the session has ended; sign in again")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(csrf)) != 1 {
			return credential{}, tracking.Errorf(tracking.CodeForbidden, "the request lacks the session's CSRF token (header %s)", csrfHeader)
		}
	}
	return credential{p: p, session: c.Value}, nil
}

// sameOrigin refuses a sign-in that another site started: a browser says
// where a request comes from in Sec-Fetch-Site or Origin. Clients that
// send neither (curl, scripts) are no browser and cannot be tricked.
func sameOrigin(r *http.Request) error {
	refuse := tracking.Errorf(tracking.CodeForbidden, "sign-in is accepted only from this server's own pages")
	switch r.Header.Get("Sec-Fetch-Site") {
	case "", "same-origin", "none": // "none": typed in the address bar or a bookmark
	default:
		return refuse
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || u.Host != r.Host {
			return refuse
		}
	}
	return nil
}

// startSession sets the session cookies: HttpOnly and SameSite=Strict, and
// Secure under TLS.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, p tracking.Principal) error {
	id, csrf, err := s.cfg.Auth.NewSession(r.Context(), p)
	if err != nil {
		return err
	}
	secure := r.TLS != nil
	age := int(accounts.SessionTTL.Seconds())
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: age})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: age})
	return nil
}

// tokenSignIn signs a browser in from ?token=… on a page and redirects to
// the same page without the token, so it leaves the address bar and history.
func (s *Server) tokenSignIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Cheap tests first: the API's requests never parse the query here.
		if s.cfg.Auth == nil || r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/api/") || !strings.Contains(r.URL.RawQuery, "token=") {
			next.ServeHTTP(w, r)
			return
		}
		tok := r.URL.Query().Get("token")
		if tok == "" {
			next.ServeHTTP(w, r)
			return
		}
		if err := sameOrigin(r); err != nil {
			s.writeError(w, r, err)
			return
		}
		p, err := s.cfg.Auth.Token(r.Context(), tok, remoteAddr(r))
		if err == nil {
			err = s.startSession(w, r, p)
		}
		if err != nil {
			if tracking.CodeOf(err) == tracking.CodeUnauthenticated {
				err = tracking.Errorf(tracking.CodeUnauthenticated, "the token in the address is not valid")
			}
			s.writeError(w, r, err)
			return
		}
		q := r.URL.Query()
		q.Del("token")
		w.Header().Set("Location", localPath(r.URL.Path, q.Encode()))
		w.WriteHeader(http.StatusSeeOther)
	})
}

// localPath is a redirect target on this server: the path cleaned, with
// one leading "/" and never "//" or "/\", which browsers read as another
// host (GET //evil.example/?token=… used to redirect there). It is set
// directly: http.Redirect passes a "//host" on untouched.
func localPath(p, rawQuery string) string {
	trailing := strings.HasSuffix(p, "/")
	p = "/" + strings.TrimLeft(path.Clean("/"+strings.ReplaceAll(p, "\\", "/")), "/")
	if trailing && p != "/" {
		p += "/"
	}
	u := url.URL{Path: p, RawQuery: rawQuery}
	return u.RequestURI()
}

type loginBody struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login answers POST /api/login: a session for a name and password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if err := sameOrigin(r); err != nil {
		s.writeError(w, r, err)
		return
	}
	var b loginBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	p, err := s.cfg.Auth.Login(r.Context(), b.Name, b.Password, remoteAddr(r))
	if err == nil {
		err = s.startSession(w, r, p)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

// logout answers POST /api/logout: ends the session. Like every write a
// cookie carries, it must echo the session's CSRF token: another site must
// not sign a dispatcher out in the middle of a call (403, session kept).
func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if _, csrf, ok := s.cfg.Auth.Session(c.Value); ok {
			if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(csrf)) != 1 {
				s.writeError(w, r, tracking.Errorf(tracking.CodeForbidden, "the request lacks the session's CSRF token (header %s); the session goes on", csrfHeader))
				return
			}
		}
		if err := s.cfg.Auth.EndSession(r.Context(), c.Value); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	writeJSON(w, http.StatusOK, p)
}

// recheckEvery bounds how long a live connection outlives its credentials
// when no local revocation wakes it (another instance revoked them).
const recheckEvery = time.Second

// closeWhenSignedOut closes a live connection as soon as the credentials
// it was opened with end (logout, role or password change, disable,
// delete, token revoked). It returns when ctx ends.
func (s *Server) closeWhenSignedOut(ctx context.Context, r *http.Request, c *websocket.Conn) {
	cred, ok := r.Context().Value(principalKey{}).(credential)
	if s.cfg.Auth == nil || !ok {
		return
	}
	t := time.NewTicker(recheckEvery)
	defer t.Stop()
	for {
		ended := s.cfg.Auth.Ended()
		if !s.cfg.Auth.Valid(cred.p, cred.session) {
			c.Close(websocket.StatusPolicyViolation, "signed out")
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-ended:
		case <-t.C:
		}
	}
}
