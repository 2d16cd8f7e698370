package mqtt

import (
	"bytes"
	"crypto/subtle"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking"
)

// Devices checks a unit's MQTT password (dispatch.Service is one).
type Devices interface {
	CheckDevice(unitID, password string) (agency string, ok bool)
}

// Gateway checks the gateway user's password from a remote address,
// refusing wrong ones and, after too many from one address, even the
// right one for a while (*accounts.Service is one: it counts and logs).
type Gateway interface {
	Gateway(addr, password string) bool
}

// Auth is who may use the embedded broker: each unit as itself (username =
// unit id, its issued password), publishing only its own topics; and one
// gateway user (the server's tools, a fleet gateway) with the admin token,
// who may do anything. Anonymous clients are refused.
//
// A device is its authenticated username, never its client id or topic:
// whatever OwnTracks topic it publishes to, the message is re-addressed to
// owntracks/<its agency>/<its username>[/subtopic] before anyone sees it.
type Auth struct {
	Devices       Devices
	AdminUser     string // default "admin"
	AdminPassword string // the admin token; empty: no gateway user
	// Gateway, when set, checks the gateway user's password instead of
	// AdminPassword, throttled per address: guessing the admin token over
	// MQTT goes no faster than over HTTP.
	Gateway Gateway
	// Known reports whether a unit id is registered, so a device cannot use
	// another unit's id as its client id. Nil: no such check.
	Known func(unitID string) bool
}

// session is who an accepted client is: one login.
type session struct {
	admin  bool
	unit   string
	agency string
	login  uint64                 // the broker's count of logins when it was accepted: later logins are larger
	tag    []packets.UserProperty // LoginProperty = login, put on each message (shared: never modified)
	cl     *mochi.Client          // nil for the gateway user

	// mu is held for reading while one of the session's messages is being
	// applied, and for writing to revoke it: once revoke returns, nothing
	// the session sent is applied any more.
	mu      sync.RWMutex
	revoked bool
}

// authHook enforces Auth on mochi.
type authHook struct {
	mochi.HookBase
	auth     Auth
	srv      *mochi.Server
	refused  *refusals
	limit    *rateLimiter
	sessions sync.Map // *mochi.Client → *session

	mu        sync.Mutex
	clientIDs map[string]map[string]bool // device → client ids of its sessions, live or kept (clean=false)

	logins    logins
	unitLocks [64]sync.Mutex // by unit: a password check and its login's record, or a rotation's sweep
}

// MaxSessionsPerDevice caps the sessions (client ids) one device may hold,
// live or kept for a later reconnect: a stolen credential cannot fill the
// broker's memory with sessions.
const MaxSessionsPerDevice = 8

func (h *authHook) ID() string { return "siaga112-auth" }

func (h *authHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mochi.OnConnect, mochi.OnConnectAuthenticate, mochi.OnACLCheck,
		mochi.OnPublish, mochi.OnWill, mochi.OnDisconnect, mochi.OnClientExpired}, []byte{b})
}

// gatewayUser reports whether user signs in as the gateway.
func (h *authHook) gatewayUser(user []byte) bool {
	return string(user) == h.auth.AdminUser && (h.auth.Gateway != nil || h.auth.AdminPassword != "")
}

// admin checks the gateway user's password from addr.
func (h *authHook) admin(addr string, pass []byte) bool {
	if h.auth.Gateway != nil {
		return h.auth.Gateway.Gateway(addr, string(pass))
	}
	return subtle.ConstantTimeCompare(pass, []byte(h.auth.AdminPassword)) == 1
}

// OnConnect decides the whole CONNECT: credentials, client id and will. A
// refusal answers CONNACK with its reason and ends the connection before
// the client can take over any session.
func (h *authHook) OnConnect(cl *mochi.Client, pk packets.Packet) error {
	user, pass := pk.Connect.Username, pk.Connect.Password
	addr := cl.Net.Remote
	refuse := func(why Refusal, code packets.Code) error {
		h.refused.add(why, addr, string(user))
		if cl.Properties.ProtocolVersion < 5 { // MQTT 3.1.1 knows return codes 1–5 only
			switch code {
			case packets.ErrNotAuthorized:
				code = packets.Err3NotAuthorized
			case packets.ErrQuotaExceeded:
				code = packets.Err3ServerUnavailable
			}
		}
		_ = h.srv.SendConnack(cl, code, false, nil)
		return code
	}
	var s *session
	switch {
	case h.gatewayUser(user):
		if !h.admin(addr, pass) {
			return refuse(RefusedCredentials, packets.ErrBadUsernameOrPassword)
		}
		s = &session{admin: true, unit: string(user)}
	case len(user) > 0 && h.auth.Devices != nil && !tracking.ReservedUnitID(string(user)):
		// The password check and the login's record are one step for a
		// rotation (revokeUnit): a login either sees the new password, or
		// is recorded before the sweep that closes it.
		lk := h.unitLock(string(user))
		lk.Lock()
		defer lk.Unlock()
		agency, ok := h.auth.Devices.CheckDevice(string(user), string(pass))
		if !ok {
			return refuse(RefusedCredentials, packets.ErrBadUsernameOrPassword)
		}
		s = &session{unit: string(user), agency: agency, cl: cl}
	default:
		return refuse(RefusedCredentials, packets.ErrBadUsernameOrPassword)
	}
	// A client id is a session: only its own user may replace it.
	if old, ok := h.srv.Clients.Get(cl.ID); ok && string(old.Properties.Username) != string(user) {
		return refuse(RefusedClientID, packets.ErrClientIdentifierNotValid)
	}
	if !s.admin && (cl.ID != s.unit && (tracking.ReservedUnitID(cl.ID) || h.auth.Known != nil && h.auth.Known(cl.ID))) {
		return refuse(RefusedClientID, packets.ErrClientIdentifierNotValid)
	}
	if !s.admin && cl.Properties.Will.Flag == 1 {
		topic, ok := s.canonical(cl.Properties.Will.TopicName)
		if !ok {
			return refuse(RefusedWill, packets.ErrNotAuthorized)
		}
		cl.Properties.Will.TopicName = topic
		cl.Properties.Will.Retain = false
	}
	if !s.admin && !h.holdClientID(s.unit, cl.ID) {
		return refuse(RefusedSessions, packets.ErrQuotaExceeded)
	}
	if !s.admin {
		h.logins.add(s)
	}
	h.sessions.Store(cl, s)
	return nil
}

func (h *authHook) unitLock(unit string) *sync.Mutex {
	f := fnv.New32a()
	f.Write([]byte(unit))
	return &h.unitLocks[f.Sum32()%uint32(len(h.unitLocks))]
}

// holdClientID records that unit holds a session under id, unless it holds
// MaxSessionsPerDevice others already.
func (h *authHook) holdClientID(unit, id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.clientIDs == nil {
		h.clientIDs = map[string]map[string]bool{}
	}
	ids := h.clientIDs[unit]
	if ids[id] {
		return true
	}
	if len(ids) >= MaxSessionsPerDevice {
		return false
	}
	if ids == nil {
		ids = map[string]bool{}
		h.clientIDs[unit] = ids
	}
	ids[id] = true
	return true
}

func (h *authHook) releaseClientID(unit, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if ids := h.clientIDs[unit]; ids != nil {
		delete(ids, id)
		if len(ids) == 0 {
			delete(h.clientIDs, unit)
		}
	}
}

// OnConnectAuthenticate admits what OnConnect accepted, unless a rotation
// revoked it meanwhile.
func (h *authHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	s := h.session(cl)
	return s != nil && !s.isRevoked()
}

func (h *authHook) session(cl *mochi.Client) *session {
	if v, ok := h.sessions.Load(cl); ok {
		return v.(*session)
	}
	return nil
}

// OnACLCheck lets a device publish to its own topics (see canonical) and
// subscribe to nothing; the gateway user may do anything.
func (h *authHook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	s := h.session(cl)
	if s != nil && s.admin {
		return true
	}
	if s != nil && write {
		if _, ok := s.canonical(topic); ok {
			return true
		}
	}
	unit := ""
	if s != nil {
		unit = s.unit
	}
	h.refused.add(RefusedTopic, cl.Net.Remote, unit)
	return false
}

// OnPublish rate-limits a device, re-addresses its message to its own
// canonical topic and strips its retain flag (the OwnTracks app publishes
// retained; a retained fix would replay on every subscribe). The excess over
// the rate is acknowledged and dropped, never delivered.
func (h *authHook) OnPublish(cl *mochi.Client, pk packets.Packet) (packets.Packet, error) {
	if cl.Net.Inline {
		return pk, nil
	}
	s := h.session(cl)
	if s == nil || s.admin {
		return pk, nil
	}
	if !h.limit.allow(s.unit, time.Now()) {
		h.refused.add(RefusedRateLimit, cl.Net.Remote, s.unit)
		return pk, packets.CodeSuccessIgnore
	}
	topic, ok := s.canonical(pk.TopicName)
	if !ok { // the ACL let it through; it cannot happen, but never deliver it
		h.refused.add(RefusedTopic, cl.Net.Remote, s.unit)
		return pk, packets.CodeSuccessIgnore
	}
	pk.TopicName = topic
	pk.FixedHeader.Retain = false
	pk.Properties.User = withLogin(pk.Properties.User, s)
	return pk, nil
}

// OnWill never lets a device's will be retained (OnConnect stripped it
// already; this covers a will set some other way), and names the login it
// comes from, so the ingest can tell it from a newer login's fixes.
func (h *authHook) OnWill(cl *mochi.Client, will mochi.Will) (mochi.Will, error) {
	s := h.session(cl)
	if s == nil || !s.admin {
		will.Retain = false
	}
	will.User = withLogin(will.User, s)
	return will, nil
}

// OnDisconnect forgets this client (and only this one: a session that took
// over the same client id keeps its own entry).
func (h *authHook) OnDisconnect(cl *mochi.Client, err error, expire bool) {
	s := h.session(cl)
	if s != nil && expire && !s.admin {
		h.releaseClientID(s.unit, cl.ID) // a clean session ends here; a kept one when it expires
	}
	if s != nil && !s.admin {
		h.logins.remove(s)
	}
	h.sessions.Delete(cl)
}

// OnClientExpired frees a kept session's slot.
func (h *authHook) OnClientExpired(cl *mochi.Client) {
	h.releaseClientID(string(cl.Properties.Username), cl.ID)
}

// canonical maps a topic a device publishes to onto its own topic, or
// reports false when the topic belongs to someone else. A device may
// publish to
//   - owntracks/<its agency>/<its id> and any subtopic of it,
//   - owntracks/<its id>/<anything> and subtopics (Android OwnTracks' default
//     topic is owntracks/<username>/<device>), re-addressed to the first form,
//   - siaga112/units/<its id>/status.
func (s *session) canonical(topic string) (string, bool) {
	if topic == StatusTopic(s.unit) {
		return topic, true
	}
	parts := strings.SplitN(topic, "/", 4)
	if len(parts) < 3 || parts[0] != "owntracks" || parts[2] == "" {
		return "", false
	}
	rest := ""
	if len(parts) == 4 {
		rest = "/" + parts[3]
	}
	switch {
	case parts[1] == s.agency && parts[2] == s.unit:
		return topic, true
	case parts[1] == s.unit:
		return LocationTopic(s.agency, s.unit) + rest, true
	}
	return "", false
}

var (
	descRefusedConnect = prometheus.NewDesc("siaga112_mqtt_auth_refused_total", "Connections the embedded broker refused (bad or no credentials, a foreign client id, a forbidden will).", nil, nil)
	descRefusedACL     = prometheus.NewDesc("siaga112_mqtt_acl_refused_total", "Publishes or subscriptions refused by the embedded broker's ACL.", nil, nil)
)
