package web

import (
	"net/http"
	"net/url"

	"siaga112/tracking"
	"siaga112/tracking/accounts"
)

// The accounts API: users and bearer tokens (admins). The rules live in
// tracking/accounts; this file only speaks HTTP.

type userBody struct {
	Name     string `json:"name"`
	Role     string `json:"role"`
	Agency   string `json:"agency"` // with role "agency": its code (GET /api/agencies)
	Password string `json:"password"`
}

// addUser answers POST /api/users: creates a user, or replaces one (which
// ends its sessions).
func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	var b userBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Agency != "" {
		if err := s.agencyExists(r.Context(), b.Agency); err != nil {
			s.writeError(w, r, err)
			return
		}
	}
	u, err := s.cfg.Auth.AddUserFor(r.Context(), b.Name, tracking.Role(b.Role), b.Agency, b.Password, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("user saved", "name", u.Name, "role", u.Role, "by", by.Name)
	w.Header().Set("Location", "/api/users/"+url.PathEscape(u.Name))
	writeJSON(w, http.StatusCreated, u)
}

func (s *Server) listUsers(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Auth.Users())
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u, err := s.cfg.Auth.User(r.PathValue("name"))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, u)
}

type userPatchBody struct {
	Role     *string `json:"role"`
	Password *string `json:"password"`
	Disabled *bool   `json:"disabled"`
}

// patchUser answers PATCH /api/users/{name}: role, password, disabled. Any
// change ends the user's sessions and live feeds.
func (s *Server) patchUser(w http.ResponseWriter, r *http.Request) {
	var b userPatchBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	if b.Role == nil && b.Password == nil && b.Disabled == nil {
		s.writeError(w, r, tracking.Errorf(tracking.CodeInvalid, "nothing to change: send role, password or disabled"))
		return
	}
	p := accounts.UserPatch{Password: b.Password, Disabled: b.Disabled}
	if b.Role != nil {
		role := tracking.Role(*b.Role)
		p.Role = &role
	}
	name := r.PathValue("name")
	u, err := s.cfg.Auth.UpdateUser(r.Context(), name, p, actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("user changed; its sessions ended", "name", name, "role", u.Role, "disabled", u.Disabled,
		"password_changed", b.Password != nil, "by", by.Name)
	writeJSON(w, http.StatusOK, u)
}

// deleteUser answers DELETE /api/users/{name}.
func (s *Server) deleteUser(w http.ResponseWriter, r *http.Request) {
	name := r.PathValue("name")
	if err := s.cfg.Auth.DeleteUser(r.Context(), name, actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("user deleted; its sessions ended", "name", name, "by", by.Name)
	w.WriteHeader(http.StatusNoContent)
}

type tokenBody struct {
	Name string `json:"name"`
	Role string `json:"role"`
}

type issuedToken struct {
	tracking.Token
	Secret string `json:"token"`
}

// issueToken answers POST /api/tokens (admins): a bearer token for
// automation, shown once.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var b tokenBody
	if err := decodeBody(w, r, &b); err != nil {
		s.writeError(w, r, err)
		return
	}
	t, secret, err := s.cfg.Auth.IssueToken(r.Context(), b.Name, tracking.Role(b.Role), actor(r))
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("token issued", "id", t.ID, "name", t.Name, "role", t.Role, "by", by.Name)
	w.Header().Set("Location", "/api/tokens/"+url.PathEscape(t.ID))
	writeJSON(w, http.StatusCreated, issuedToken{Token: t, Secret: secret})
}

// listTokens answers GET /api/tokens: never the secrets.
func (s *Server) listTokens(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, s.cfg.Auth.Tokens())
}

// deleteToken answers DELETE /api/tokens/{id}: the token stops working and
// the sessions opened with it end.
func (s *Server) deleteToken(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := s.cfg.Auth.DeleteToken(r.Context(), id, actor(r)); err != nil {
		s.writeError(w, r, err)
		return
	}
	by, _ := principalOf(r)
	s.log.Info("token revoked", "id", id, "by", by.Name)
	w.WriteHeader(http.StatusNoContent)
}
