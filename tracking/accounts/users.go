package accounts

import (
	"context"
	"maps"
	"slices"
	"strings"

	"siaga112/tracking"
)

// Users: people's accounts (name, role, agency, bcrypt password, disabled),
// changed by admins; a change to a user ends its sessions where it must.

func checkPassword(p string) error {
	switch {
	case len(p) < MinPassword:
		return tracking.Errorf(tracking.CodeInvalid, "the password must have at least %d characters", MinPassword)
	case len(p) > MaxPassword:
		return tracking.Errorf(tracking.CodeInvalid, "the password must have at most %d bytes (bcrypt ignores the rest)", MaxPassword)
	}
	return nil
}

func userRole(r tracking.Role) error {
	if _, err := tracking.ParseRole(string(r)); err != nil || r == tracking.RoleDevice || r == tracking.RolePhone {
		return tracking.Errorf(tracking.CodeInvalid, "a user's role is dispatcher, planner, admin or agency, not %q (a phone system gets a token)", r)
	}
	return nil
}

// AddUser creates a user, or replaces one (ending its sessions); actor is
// who does it, for the audit trail.
func (s *Service) AddUser(ctx context.Context, name string, role tracking.Role, password, actor string) (tracking.User, error) {
	return s.AddUserFor(ctx, name, role, "", password, actor)
}

// AddUserFor is AddUser with the agency of an agency user (required with
// RoleAgency, refused with any other role; the caller checks it exists).
func (s *Service) AddUserFor(ctx context.Context, name string, role tracking.Role, agency, password, actor string) (tracking.User, error) {
	if err := tracking.ValidateID("user name", name); err != nil {
		return tracking.User{}, err
	}
	if err := checkName("user name", name); err != nil {
		return tracking.User{}, err
	}
	if err := userRole(role); err != nil {
		return tracking.User{}, err
	}
	if (role == tracking.RoleAgency) != (agency != "") {
		return tracking.User{}, tracking.Errorf(tracking.CodeInvalid, "an agency user needs its agency's code, and only an agency user has one")
	}
	if err := checkPassword(password); err != nil {
		return tracking.User{}, err
	}
	hash, err := tracking.HashPassword(password)
	if err != nil {
		return tracking.User{}, err
	}
	now := s.now()
	s.mu.Lock()
	if err := s.userNameClash(name); err != nil {
		s.mu.Unlock()
		return tracking.User{}, err
	}
	u, existed := s.users[name]
	s.mu.Unlock()
	if !existed {
		u.CreatedAt = now
	}
	u.Name, u.Role, u.Agency, u.PasswordHash, u.Disabled, u.UpdatedAt = name, role, agency, hash, false, now
	action := "user.created"
	if existed {
		action = "user.replaced"
	}
	// A replaced user's sessions end with the change.
	err = s.commit(action, actor, now, tracking.Record{Kind: tracking.RecordUser, Key: name, User: &u, EndSessions: existed})
	if err != nil {
		return tracking.User{}, err
	}
	return u, nil
}

// UserPatch is a change to a user; nil fields stay.
type UserPatch struct {
	Role     *tracking.Role
	Password *string
	Disabled *bool
}

// UpdateUser changes a user's role, password or disabled flag, and ends
// its sessions when anything changed; actor is who does it.
func (s *Service) UpdateUser(ctx context.Context, name string, p UserPatch, actor string) (tracking.User, error) {
	if p.Role != nil {
		if err := userRole(*p.Role); err != nil {
			return tracking.User{}, err
		}
	}
	if p.Role != nil && *p.Role == tracking.RoleAgency {
		return tracking.User{}, tracking.Errorf(tracking.CodeInvalid, "to make an agency user, create it with POST /api/users and its agency")
	}
	var hash string
	if p.Password != nil {
		if err := checkPassword(*p.Password); err != nil {
			return tracking.User{}, err
		}
		var err error
		if hash, err = tracking.HashPassword(*p.Password); err != nil {
			return tracking.User{}, err
		}
	}
	s.mu.Lock()
	u, ok := s.users[name]
	s.mu.Unlock()
	if !ok {
		return tracking.User{}, tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	if p.Role != nil {
		u.Role, u.Agency = *p.Role, ""
	}
	if hash != "" {
		u.PasswordHash = hash
	}
	if p.Disabled != nil {
		u.Disabled = *p.Disabled
	}
	u.UpdatedAt = s.now()
	// The trail keeps no hash: a password change shows in the action.
	action := "user.changed"
	if p.Password != nil && p.Role == nil && p.Disabled == nil {
		action = "user.password_changed"
	}
	if err := s.commit(action, actor, u.UpdatedAt, tracking.Record{Kind: tracking.RecordUser, Key: name, User: &u, EndSessions: true}); err != nil {
		return tracking.User{}, err
	}
	return u, nil
}

// DeleteUser removes a user and ends its sessions; actor is who does it.
func (s *Service) DeleteUser(ctx context.Context, name, actor string) error {
	s.mu.Lock()
	_, ok := s.users[name]
	s.mu.Unlock()
	if !ok {
		return tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	return s.commit("user.deleted", actor, s.now(), tracking.Record{Kind: tracking.RecordUser, Key: name, Deleted: true})
}

// User finds a user.
func (s *Service) User(name string) (tracking.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[name]
	if !ok {
		return tracking.User{}, tracking.Errorf(tracking.CodeNotFound, "no user %q", name)
	}
	return u, nil
}

// Users lists the users by name.
func (s *Service) Users() []tracking.User {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]tracking.User, 0, len(s.users))
	out = slices.AppendSeq(out, maps.Values(s.users))
	slices.SortFunc(out, func(x, y tracking.User) int { return strings.Compare(x.Name, y.Name) })
	return out
}
