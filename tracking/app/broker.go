package app

import (
	"context"
	"crypto/tls"
	"fmt"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"siaga112/tracking/fleet"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/units"
	"siaga112/web"
)

// startBroker starts the embedded MQTT broker from the flags: devices sign
// in with their unit's credentials, rotating them closes their sessions;
// the gateway user's password (the admin token) is checked by the
// accounts service, throttled per address, when there is one (nil: an
// open API, the token compared as it is).
func startBroker(cfg Config, log *slog.Logger, svc *units.Service, index *fleet.Index, adminToken string, gateway mqtt.Gateway) (*mqtt.Broker, error) {
	bcfg := mqtt.BrokerConfig{
		Listen: cfg.MQTTListen, TLSListen: cfg.MQTTTLSListen, Logger: log,
		Limits: mqtt.Limits{MaxConns: cfg.MQTTMaxConns, MaxConnsPerAddr: cfg.MQTTMaxConnsPerIP, ConnectTimeout: cfg.MQTTConnectTimeout},
		Rate:   cfg.MQTTRate, Burst: cfg.MQTTBurst,
		Auth: &mqtt.Auth{Devices: svc, AdminPassword: adminToken, Gateway: gateway, Known: func(id string) bool {
			_, err := index.Get(id)
			return err == nil
		}},
	}
	if cfg.MQTTRate == 0 {
		bcfg.Rate = -1 // --mqtt-rate 0: no limit
	}
	if cfg.MQTTListenDefault {
		bcfg.NextFreePort = 16 // a Debian box often runs Mosquitto on 1883
	}
	if cfg.MQTTTLSListen != "" {
		cert, err := tls.LoadX509KeyPair(cfg.TLSCert, cfg.TLSKey)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert/--tls-key for --mqtt-tls-listen: %w", err)
		}
		bcfg.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	broker, err := mqtt.NewBroker(bcfg)
	if err != nil {
		return nil, err
	}
	svc.OnDeviceCredentials(func(unitID string) {
		if n := broker.DisconnectUnit(unitID); n > 0 {
			log.Info("device credentials changed: its live MQTT sessions closed", "unit", unitID, "sessions", n)
		}
	})
	log.Info("embedded MQTT broker listening", "addr", broker.Addr(), "tls_addr", broker.TLSAddr(),
		"max_conns", cfg.MQTTMaxConns, "max_conns_per_addr", cfg.MQTTMaxConnsPerIP, "connect_timeout", cfg.MQTTConnectTimeout,
		"device_rate", cfg.MQTTRate, "device_burst", cfg.MQTTBurst, "open_file_limit", broker.FileLimit())
	if cfg.MQTTListenDefault && broker.Addr() != "" && localPort(broker.Addr()) != localPort(cfg.MQTTListen) {
		log.Warn("MQTT port taken (another broker?): the embedded broker listens on the next free port", "wanted", cfg.MQTTListen, "addr", broker.Addr())
	}
	return broker, nil
}

func localPort(addr string) string {
	for i := len(addr) - 1; i >= 0; i-- {
		if addr[i] == ':' {
			return addr[i+1:]
		}
	}
	return addr
}

// startMQTT embeds a broker (unless an external one is configured) and
// starts the ingest, which keeps trying in the background when the broker
// is not reachable yet.
func (a *App) startMQTT(ctx context.Context, reg *prometheus.Registry, checks map[string]web.Check) error {
	cfg := &a.cfg
	a.BrokerURL = cfg.MQTTURL
	var broker *mqtt.Broker
	if a.BrokerURL == "" {
		var err error
		var gateway mqtt.Gateway
		if a.Accounts != nil {
			gateway = a.Accounts // wrong gateway passwords throttled per address
		}
		if broker, err = startBroker(*cfg, a.log, a.Units, a.Fleet, a.AdminToken, gateway); err != nil {
			return err
		}
		a.onClose(func() { broker.Close() })
		reg.MustRegister(broker)
		a.BrokerURL = broker.URL()
		a.Broker = broker
		checks["mqtt_broker"] = broker.Healthy
	}
	if cfg.MQTTURL == "" && cfg.MQTTUsername == "" {
		// On the embedded broker the server's own clients are the gateway user.
		cfg.MQTTUsername, cfg.MQTTPassword = "admin", a.AdminToken
	}
	// On the embedded broker the ingest subscribes in-process.
	a.Ingest = mqtt.NewIngest(mqtt.Config{
		Broker: broker, URL: a.BrokerURL, ClientID: cfg.MQTTClientID, Username: cfg.MQTTUsername, Password: cfg.MQTTPassword, Logger: a.log,
		Regions: a.Units, Secrets: a.Units,
	}, a.Units) // dispatch hears the fixes and statuses of its units from the units service
	reg.MustRegister(a.Ingest)
	a.ingest.Store(a.Ingest)
	startCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	err := a.Ingest.Start(startCtx)
	cancel()
	a.onClose(a.Ingest.Close)
	if err != nil && ctx.Err() == nil {
		// Keep serving: the client goes on trying, and /healthz says so.
		a.log.Error("MQTT broker not reachable yet; still trying in the background", "broker", a.BrokerURL, "err", err)
	}
	ingest, url := a.Ingest, a.BrokerURL
	checks["mqtt"] = func() error {
		if !ingest.Connected() {
			return fmt.Errorf("not connected and subscribed to the MQTT broker %s; retrying", url)
		}
		return nil
	}
	return nil
}
