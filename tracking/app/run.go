package app

import (
	"context"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net"

	"siaga112/tracking/internal/connlimit"
	"siaga112/web"
)

// Run serves HTTP on cfg.HTTP (and drives the demo fleet with Demo) until
// ctx ends. It prints the URL to out once the server is ready.
func (a *App) Run(ctx context.Context, out io.Writer) error {
	ln, err := web.Listen(a.cfg.HTTP)
	if err != nil {
		return err
	}
	// The web port's share of the descriptors: a flood here leaves the
	// broker's devices theirs (and the other way round).
	ln = connlimit.Limit(ln, connlimit.Share(connlimit.FileLimit(), connlimit.Web), 0, nil)
	demoDone := make(chan struct{})
	close(demoDone)
	if a.cfg.Demo && a.Ingest != nil {
		demoDone = make(chan struct{})
		if err := startDemo(ctx, a.cfg.DemoUnits, a.Units, a.BrokerURL, a.cfg, a.log, demoDone); err != nil {
			ln.Close()
			return err
		}
	}
	callsDone := make(chan struct{})
	close(callsDone)
	if a.cfg.Demo {
		callsDone = make(chan struct{})
		go func() {
			defer close(callsDone)
			a.raiseSyntheticCalls(ctx, mrand.New(mrand.NewPCG(DemoHistorySeed, 1)))
		}()
	}
	base := httpURL(ln.Addr(), a.cfg.TLSCert != "")
	mqttURLs := a.BrokerURL
	if a.Broker != nil && a.Broker.TLSAddr() != "" {
		mqttURLs += ", MQTT over TLS ssl://" + a.Broker.TLSAddr()
	}
	if a.generated {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=%s (signs you in as admin; API: Authorization: Bearer %s; MQTT %s)\n", base, a.AdminToken, a.AdminToken, mqttURLs)
	} else {
		fmt.Fprintf(out, "siaga112 is running: open %s/?token=<SIAGA112_ADMIN_TOKEN> (MQTT %s)\n", base, mqttURLs)
	}
	if loopback(ln.Addr()) {
		fmt.Fprintln(out, onlyHere)
	}
	err = a.Web.Serve(ctx, ln)
	<-demoDone
	<-callsDone
	a.log.Info("siaga112 stopped")
	return err
}

func httpURL(a net.Addr, tls bool) string {
	scheme := "http://"
	if tls {
		scheme = "https://"
	}
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return scheme + a.String()
	}
	host := tcp.IP.String()
	if tcp.IP == nil || tcp.IP.IsUnspecified() {
		host = "localhost"
	}
	return scheme + net.JoinHostPort(host, fmt.Sprint(tcp.Port))
}

// onlyHere is what Run prints when the web listener is on loopback (a
// demo's default): nobody else can reach it, and how to change that.
const onlyHere = "It listens on this machine only (127.0.0.1). To open it to the network, give the addresses, " +
	"e.g. --http :8080 --mqtt-listen :1883 --osmand-listen :5055 (or SIAGA112_HTTP=:8080 …), with a token of your own " +
	"(SIAGA112_ADMIN_TOKEN) and TLS: docs/security.md."

// loopback says whether addr is a loopback address.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}
