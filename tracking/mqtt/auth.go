package mqtt

import (
	"bytes"
	"crypto/subtle"
	"sync"
	"sync/atomic"

	mochi "github.com/mochi-mqtt/server/v2"
	"github.com/mochi-mqtt/server/v2/packets"
	"github.com/prometheus/client_golang/prometheus"
)

// Devices checks a unit's MQTT password (dispatch.Service is one).
type Devices interface {
	CheckDevice(unitID, password string) (agency string, ok bool)
}

// Auth is who may use the embedded broker: each unit as itself (username =
// unit id, its issued password), publishing only its own topics; and one
// gateway user (the server's ingest, a fleet gateway) with the admin token,
// who may do anything. Anonymous clients are refused.
type Auth struct {
	Devices       Devices
	AdminUser     string // default "admin"
	AdminPassword string // the admin token; empty: no gateway user
}

// authHook enforces Auth on mochi.
type authHook struct {
	mochi.HookBase
	auth                       Auth
	agencies                   sync.Map // client id → agency of the device on it
	refusedConnect, refusedACL atomic.Uint64
}

func (h *authHook) ID() string { return "siaga112-auth" }

func (h *authHook) Provides(b byte) bool {
	return bytes.Contains([]byte{mochi.OnConnectAuthenticate, mochi.OnACLCheck, mochi.OnDisconnect}, []byte{b})
}

func (h *authHook) admin(user, pass []byte) bool {
	return h.auth.AdminPassword != "" && string(user) == h.auth.AdminUser &&
		subtle.ConstantTimeCompare(pass, []byte(h.auth.AdminPassword)) == 1
}

// OnConnectAuthenticate lets in the gateway user and registered units with
// their password.
func (h *authHook) OnConnectAuthenticate(cl *mochi.Client, pk packets.Packet) bool {
	user, pass := pk.Connect.Username, pk.Connect.Password
	if h.admin(user, pass) {
		return true
	}
	if len(user) > 0 && h.auth.Devices != nil {
		if agency, ok := h.auth.Devices.CheckDevice(string(user), string(pass)); ok {
			h.agencies.Store(cl.ID, agency)
			return true
		}
	}
	h.refusedConnect.Add(1)
	return false
}

// OnACLCheck lets a unit publish only its own position and status topics;
// units subscribe to nothing. The gateway user may do anything.
func (h *authHook) OnACLCheck(cl *mochi.Client, topic string, write bool) bool {
	user := cl.Properties.Username
	if h.auth.AdminPassword != "" && string(user) == h.auth.AdminUser {
		if _, device := h.agencies.Load(cl.ID); !device {
			return true
		}
	}
	agency, ok := h.agencies.Load(cl.ID)
	unit := string(user)
	if ok && write && (topic == LocationTopic(agency.(string), unit) || topic == StatusTopic(unit)) {
		return true
	}
	h.refusedACL.Add(1)
	return false
}

// OnDisconnect forgets the client's agency.
func (h *authHook) OnDisconnect(cl *mochi.Client, err error, expire bool) {
	h.agencies.Delete(cl.ID)
}

var (
	descRefusedConnect = prometheus.NewDesc("siaga112_mqtt_auth_refused_total", "Connections the embedded broker refused (bad or no credentials).", nil, nil)
	descRefusedACL     = prometheus.NewDesc("siaga112_mqtt_acl_refused_total", "Publishes or subscriptions refused by the embedded broker's ACL.", nil, nil)
)
