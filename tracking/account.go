package tracking

import (
	"slices"
	"time"
)

// Role is what an account may do.
type Role string

const (
	RoleDispatcher Role = "dispatcher" // creates incidents and dispatches
	RolePlanner    Role = "planner"    // reads analytics, imports history
	RoleAdmin      Role = "admin"      // manages units and users; may do everything
	RoleDevice     Role = "device"     // trackers: MQTT only, nothing over HTTP
	RoleAgency     Role = "agency"     // one agency's staff: its own incidents only
	RolePhone      Role = "phone"      // the SIP edge (a token): admission, call events, AML
)

// Roles lists the roles.
var Roles = []Role{RoleDispatcher, RolePlanner, RoleAdmin, RoleDevice, RoleAgency, RolePhone}

// ParseRole validates a role name.
func ParseRole(s string) (Role, error) {
	if r := Role(s); slices.Contains(Roles, r) {
		return r, nil
	}
	return "", Errorf(CodeInvalid, "unknown role %q: use dispatcher, planner, admin, agency, device or phone", s)
}

// Principal is who a request comes from: a user, or a named bearer token.
type Principal struct {
	Name string `json:"name"`
	Role Role   `json:"role"`
	// Agency is the agency code of an agency user.
	Agency string `json:"agency,omitempty"`
	// TokenID is set when the principal is a bearer token (or a browser
	// session opened with one).
	TokenID string `json:"token_id,omitempty"`
}

// User is a person's account. The password is kept only as a bcrypt hash.
type User struct {
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Agency       string    `json:"agency,omitempty"` // with RoleAgency
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// Token is a bearer token for automation. Only the SHA-256 hash of its
// secret is kept; the secret is shown once, when it is issued.
type Token struct {
	ID        string     `json:"id"`
	Name      string     `json:"name"`
	Role      Role       `json:"role"`
	Hash      string     `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	LastUsed  *time.Time `json:"last_used,omitempty"`
}

// Session is a signed-in browser. Hash is the SHA-256 of the cookie's
// session id; the id itself is never kept. A session belongs to a user
// (User set) or to the bearer token it was opened with (TokenID set).
type Session struct {
	Hash      string
	User      string
	TokenID   string
	Principal Principal
	CSRF      string // the page echoes it; not a credential on its own
	CreatedAt time.Time
	ExpiresAt time.Time
}
