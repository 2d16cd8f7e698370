package web

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"slices"
	"strings"

	"siaga112/tracking"
)

// Cookie names of a browser session.
const (
	sessionCookie = "siaga112_session" // HttpOnly: the session id
	csrfCookie    = "siaga112_csrf"    // readable: the page echoes it in X-CSRF-Token
	csrfHeader    = "X-CSRF-Token"
)

type principalKey struct{}

// principalOf is who the request comes from (set by the auth wrapper).
func principalOf(r *http.Request) (Principal, bool) {
	p, ok := r.Context().Value(principalKey{}).(Principal)
	return p, ok
}

// Who may call what. Admins may call everything; devices nothing over HTTP.
var (
	readers     = []Role{RoleDispatcher, RolePlanner}
	dispatchers = []Role{RoleDispatcher}
	planners    = []Role{RolePlanner}
	adminsOnly  = []Role{}
)

// guard wraps h so that only the roles named (and admins) reach it. Without
// Accounts configured the API is open (tests and embedding).
func (s *Server) guard(roles []Role, h http.HandlerFunc) http.HandlerFunc {
	if s.cfg.Auth == nil {
		return h
	}
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := s.authenticate(r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if p.Role != RoleAdmin && !slices.Contains(roles, p.Role) {
			s.writeError(w, r, tracking.Errorf(tracking.CodeForbidden, "%s %s is not allowed for the %s role", r.Method, r.URL.Path, p.Role))
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	}
}

// authenticate reads a bearer token or a session cookie. A cookie-borne
// request that changes anything must echo the session's CSRF token.
func (s *Server) authenticate(r *http.Request) (Principal, error) {
	if h := r.Header.Get("Authorization"); h != "" {
		tok, ok := strings.CutPrefix(h, "Bearer ")
		if p, found := s.cfg.Auth.Token(strings.TrimSpace(tok)); ok && found {
			return p, nil
		}
		return Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "the bearer token is not valid")
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "sign in first: POST /api/login, open the page with ?token=…, or send Authorization: Bearer <token>")
	}
	p, csrf, ok := s.cfg.Auth.Session(c.Value)
	if !ok {
		return Principal{}, tracking.Errorf(tracking.CodeUnauthenticated, "the session has ended; sign in again")
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
	default:
		if subtle.ConstantTimeCompare([]byte(r.Header.Get(csrfHeader)), []byte(csrf)) != 1 {
			return Principal{}, tracking.Errorf(tracking.CodeForbidden, "the request lacks the session's CSRF token (header %s)", csrfHeader)
		}
	}
	return p, nil
}

// startSession sets the session cookies: HttpOnly and SameSite=Strict, and
// Secure under TLS.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, p Principal) {
	id, csrf := s.cfg.Auth.NewSession(p)
	secure := r.TLS != nil
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: id, Path: "/", HttpOnly: true, Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionTTL.Seconds())})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: csrf, Path: "/", Secure: secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(SessionTTL.Seconds())})
}

// tokenSignIn signs a browser in from ?token=… on a page and redirects to
// the same page without the token, so it leaves the address bar and history.
func (s *Server) tokenSignIn(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tok := r.URL.Query().Get("token")
		if s.cfg.Auth == nil || tok == "" || r.Method != http.MethodGet || strings.HasPrefix(r.URL.Path, "/api/") {
			next.ServeHTTP(w, r)
			return
		}
		p, ok := s.cfg.Auth.Token(tok)
		if !ok {
			s.writeError(w, r, tracking.Errorf(tracking.CodeUnauthenticated, "the token in the address is not valid"))
			return
		}
		s.startSession(w, r, p)
		u := *r.URL
		q := u.Query()
		q.Del("token")
		u.RawQuery = q.Encode()
		http.Redirect(w, r, u.RequestURI(), http.StatusSeeOther)
	})
}

type loginBody struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

// login answers POST /api/login: a session for a name and password.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	var b loginBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	addr, _, _ := net.SplitHostPort(r.RemoteAddr)
	p, err := s.cfg.Auth.Login(b.Name, b.Password, addr)
	if err != nil {
		s.log.Warn("sign-in refused", "name", b.Name, "remote", addr, "err", err)
		s.writeError(w, r, err)
		return
	}
	s.startSession(w, r, p)
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.cfg.Auth.EndSession(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: "", Path: "/", MaxAge: -1})
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	p, _ := principalOf(r)
	writeJSON(w, http.StatusOK, p)
}

type userBody struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Password string `json:"password"`
}

// addUser answers POST /api/users (admins).
func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	var b userBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := s.cfg.Auth.AddUser(b.Name, Role(b.Role), b.Password); err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("user saved", "name", b.Name, "role", b.Role, "by", by.Name)
	writeJSON(w, http.StatusCreated, Principal{Name: b.Name, Role: Role(b.Role)})
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Auth.Users())
}

type tokenBody struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

// issueToken answers POST /api/tokens (admins): a bearer token for
// automation, shown once.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var b tokenBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	role, err := ParseRole(b.Role)
	if err == nil {
		err = tracking.ValidateID("token name", b.Name)
	}
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	tok := s.cfg.Auth.IssueToken(Principal{Name: b.Name, Role: role})
	by, _ := principalOf(r)
	s.log.Info("token issued", "name", b.Name, "role", role, "by", by.Name)
	writeJSON(w, http.StatusCreated, map[string]string{"name": b.Name, "role": string(role), "token": tok})
}
