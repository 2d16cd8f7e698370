package app

import (
	"crypto/tls"
	"fmt"
	"log/slog"

	"siaga112/tracking/fleet"
	"siaga112/tracking/mqtt"
	"siaga112/tracking/units"
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
