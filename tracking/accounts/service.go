// Package accounts is who may use siaga112. It owns:
//
//   - users: people's accounts, bcrypt passwords, roles (users.go, and
//     names.go for the names the trail may use);
//   - credentials: named bearer tokens for automation and browser sessions,
//     and the checks of a request's token, password or session
//     (credentials.go);
//   - lockout: the throttles in front of every secret (throttle.go).
//
// Every change is a tracking.Change of records (users, tokens, sessions)
// written by the store (PostgreSQL with --db, memory otherwise); memory
// follows what the store committed, record by record and by version
// (records.go), so checking a request never waits for the database.
package accounts

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"siaga112/tracking"
)

// Limits of accounts.
const (
	// MinAdminToken is the shortest admin token accepted: it is also the
	// MQTT gateway password, guessable when short.
	MinAdminToken = 20
	// MinPassword and MaxPassword bound people's passwords; bcrypt reads
	// only the first 72 bytes, so a longer one would be silently cut.
	MinPassword = 10
	MaxPassword = 72
	SessionTTL  = 12 * time.Hour // a dispatcher's shift, with margin
	// touchEvery bounds how often a token's last use is written.
	touchEvery = time.Minute
	// BootstrapTokenID names the admin token from the environment.
	BootstrapTokenID = "bootstrap"
	// GatewayUser is the MQTT user whose password is the admin token.
	GatewayUser = "admin"
)

// Config builds a Service.
type Config struct {
	// Store takes the changes and gives the records back at start.
	Store tracking.AccountStore
	// AdminToken seeds an admin bearer token (the bootstrap); empty: none.
	AdminToken string
	Logger     *slog.Logger
	Now        func() time.Time
	// Ceiling is the per-address limit across names (default
	// AddressCeiling).
	Ceiling Policy
}

// Service checks credentials and manages accounts. Safe for concurrent use.
type Service struct {
	store   tracking.AccountStore
	journal tracking.Journal
	log     *slog.Logger
	now     func() time.Time
	admin   string // SHA-256 of the bootstrap token, "" without one
	// bootSession marks sessions opened with this bootstrap token: a new
	// admin token (the old one leaked) ends the sessions of the old one.
	bootSession string

	mu       sync.Mutex
	users    map[string]tracking.User
	tokens   map[string]tracking.Token // by hash
	tokenIDs map[string]string         // token id → hash
	sessions map[string]tracking.Session
	versions tracking.Versions    // of every record above, tombstones included
	touched  map[string]time.Time // token id → last use written
	ended    chan struct{}        // closed (and replaced) when sessions end

	throttle *throttle
	ceiling  Policy
	counts   counters
}

type counters struct {
	loginFailed, loginThrottled, bearerFailed, bearerThrottled, gatewayFailed, gatewayThrottled atomic.Uint64
}

// New loads the accounts from the store (restart recovery: one read
// before anything is served) and has the expired sessions removed.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("accounts: no store")
	}
	if cfg.AdminToken != "" && len(cfg.AdminToken) < MinAdminToken {
		return nil, tracking.Errorf(tracking.CodeInvalid, "the admin token has %d characters; it must have at least %d "+
			"(it is also the MQTT gateway password): use a long random one, e.g. `openssl rand -base64 24`", len(cfg.AdminToken), MinAdminToken)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &Service{store: cfg.Store, journal: tracking.Journal{Store: cfg.Store}, log: cfg.Logger.With("component", "accounts"), now: cfg.Now,
		users: map[string]tracking.User{}, tokens: map[string]tracking.Token{}, tokenIDs: map[string]string{}, sessions: map[string]tracking.Session{},
		touched: map[string]time.Time{}, ended: make(chan struct{}), throttle: newThrottle(), ceiling: cfg.Ceiling}
	if s.ceiling == (Policy{}) {
		s.ceiling = AddressCeiling
	}
	if cfg.AdminToken != "" {
		s.admin = digest(cfg.AdminToken)
		s.bootSession = BootstrapTokenID + ":" + digest(s.admin)[:16]
	}
	recs, _, err := cfg.Store.Records(ctx, 0, tracking.AccountKinds...)
	if err != nil {
		return nil, fmt.Errorf("load accounts: %w", err)
	}
	s.expect(recs)
	s.Absorb(recs, 0)
	s.expire()
	return s, nil
}

func digest(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(h[:])
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// dummyHash is compared against for unknown names, so timing does not tell
// names apart.
var dummyHash = sync.OnceValue(func() string { h, _ := tracking.HashPassword(randomToken()); return h })

// Ended is closed when any session or token ends (then replaced): holders
// of a live connection recheck their credentials.
func (s *Service) Ended() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ended
}

// signalEnded wakes the holders of Ended. Caller holds s.mu.
func (s *Service) signalEnded() {
	close(s.ended)
	s.ended = make(chan struct{})
}
