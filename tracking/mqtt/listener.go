package mqtt

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/mochi-mqtt/server/v2/listeners"
)

// Connection limits of the embedded broker's listeners.
type Limits struct {
	MaxConns        int           // open connections over all addresses; 0: DefaultMaxConns
	MaxConnsPerAddr int           // open connections from one IP address; 0: DefaultMaxConnsPerAddr
	ConnectTimeout  time.Duration // to complete CONNECT (and TLS); 0: DefaultConnectTimeout
}

// Defaults for Limits. 2,000 units need 2,000 connections; a phone fleet
// behind one carrier NAT shares few public addresses, hence the generous
// per-address cap.
const (
	DefaultMaxConns        = 10000
	DefaultMaxConnsPerAddr = 500
	DefaultConnectTimeout  = 5 * time.Second
)

func (l Limits) withDefaults() Limits {
	if l.MaxConns <= 0 {
		l.MaxConns = DefaultMaxConns
	}
	if l.MaxConnsPerAddr <= 0 {
		l.MaxConnsPerAddr = DefaultMaxConnsPerAddr
	}
	if l.ConnectTimeout <= 0 {
		l.ConnectTimeout = DefaultConnectTimeout
	}
	return l
}

// guard is shared by the broker's listeners: one count of open connections
// overall and per address.
type guard struct {
	limits  Limits
	refused *refusals
	mu      sync.Mutex
	open    int
	perAddr map[string]int
}

func newGuard(l Limits, r *refusals) *guard {
	return &guard{limits: l.withDefaults(), refused: r, perAddr: map[string]int{}}
}

// admit takes a slot for a connection from host, or says why not.
func (g *guard) admit(host string) (Refusal, bool) {
	g.mu.Lock()
	defer g.mu.Unlock()
	switch {
	case g.open >= g.limits.MaxConns:
		return RefusedConnCap, false
	case g.perAddr[host] >= g.limits.MaxConnsPerAddr:
		return RefusedAddrCap, false
	}
	g.open++
	g.perAddr[host]++
	return "", true
}

func (g *guard) release(host string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.open--
	if g.perAddr[host]--; g.perAddr[host] <= 0 {
		delete(g.perAddr, host)
	}
}

// Open is the number of connections the listeners hold now.
func (g *guard) Open() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.open
}

// listener is a mochi listener that survives running out of file
// descriptors, caps connections, and closes a connection that has not
// completed CONNECT within the timeout (mochi's own TCP listener does none of
// these: one flood of idle sockets stopped it for good).
type listener struct {
	id, address string
	tlsConfig   *tls.Config
	guard       *guard
	log         *slog.Logger

	ln      net.Listener
	closed  atomic.Bool
	mu      sync.Mutex
	conns   map[net.Conn]struct{} // open connections, closed with the listener
	serving sync.WaitGroup        // connections handed to mochi, until it returns
	done    chan struct{}
	failing atomic.Int64 // unix nanos since accept keeps failing; 0: healthy
}

var _ listeners.Listener = (*listener)(nil)

func newListener(id, address string, tlsConfig *tls.Config, g *guard) *listener {
	return &listener{id: id, address: address, tlsConfig: tlsConfig, guard: g, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
}

func (l *listener) ID() string       { return l.id }
func (l *listener) Protocol() string { return "tcp" }
func (l *listener) Address() string {
	if l.ln != nil {
		return l.ln.Addr().String()
	}
	return l.address
}

// Init binds the address (mochi calls it from AddListener).
func (l *listener) Init(log *slog.Logger) error {
	l.log = log
	if l.ln != nil { // bound beforehand (see listenFree)
		return nil
	}
	ln, err := net.Listen("tcp", l.address)
	if err != nil {
		return err
	}
	l.ln = ln
	return nil
}

// Serve accepts until Close. Running out of descriptors (EMFILE, ENFILE) or
// any other accept error pauses it, with a growing back-off up to a second,
// never ends it.
func (l *listener) Serve(establish listeners.EstablishFn) {
	defer close(l.done)
	var backoff time.Duration
	for {
		conn, err := l.ln.Accept()
		if err != nil {
			if l.closed.Load() || errors.Is(err, net.ErrClosed) {
				return
			}
			l.failing.CompareAndSwap(0, time.Now().UnixNano())
			backoff = min(max(2*backoff, 5*time.Millisecond), time.Second)
			if l.log != nil && (errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE)) && backoff == time.Second {
				l.log.Error("MQTT listener out of file descriptors; retrying", "listener", l.id, "err", err)
			}
			time.Sleep(backoff)
			continue
		}
		backoff = 0
		l.failing.Store(0)
		if !l.track(conn) { // closed meanwhile
			conn.Close()
			return
		}
		host := remoteHost(conn)
		if why, ok := l.guard.admit(host); !ok {
			l.untrack(conn)
			conn.Close()
			l.guard.refused.add(why, host, "")
			continue
		}
		// The deadline covers the TLS handshake and the CONNECT packet;
		// mochi replaces it with the keepalive deadline once connected.
		conn.SetDeadline(time.Now().Add(l.guard.limits.ConnectTimeout))
		raw := conn
		if l.tlsConfig != nil {
			conn = tls.Server(conn, l.tlsConfig)
		}
		go func() {
			defer l.guard.release(host)
			defer l.untrack(raw)
			// mochi reports each client's end here; the timeouts of
			// idle sockets are counted, the rest is routine.
			if err := establish(l.id, conn); err != nil && isTimeout(err) {
				l.guard.refused.add(RefusedConnectTimeout, host, "")
			}
		}()
	}
}

func (l *listener) track(c net.Conn) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed.Load() {
		return false
	}
	l.conns[c] = struct{}{}
	l.serving.Add(1) // under mu, so shutdown's Wait never races an Add
	return true
}

func (l *listener) untrack(c net.Conn) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.conns[c]; ok {
		delete(l.conns, c)
		l.serving.Done() // each tracked connection is untracked once
	}
}

// Close stops accepting, disconnects the listener's clients and closes
// every connection still open (one accepted while closing, or still
// before CONNECT), so mochi's wait for its clients ends.
func (l *listener) Close(closeClients listeners.CloseFn) {
	l.mu.Lock()
	first := l.closed.CompareAndSwap(false, true)
	l.mu.Unlock()
	if !first {
		return
	}
	if l.ln != nil {
		l.ln.Close()
	}
	closeClients(l.id)
	l.mu.Lock()
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
}

// shutdown stops accepting, closes every connection and waits until mochi
// has returned from each, so that mochi's own Close (which the broker calls
// next) never runs while a connection is still being established.
func (l *listener) shutdown() {
	l.mu.Lock()
	l.closed.Store(true)
	l.mu.Unlock()
	if l.ln != nil {
		l.ln.Close()
	}
	l.mu.Lock()
	for c := range l.conns {
		c.Close()
	}
	l.mu.Unlock()
	l.serving.Wait()
}

// Healthy says whether the listener is accepting.
func (l *listener) Healthy() error {
	if l.closed.Load() {
		return fmt.Errorf("MQTT listener %s is closed", l.Address())
	}
	select {
	case <-l.done:
		return fmt.Errorf("MQTT listener %s stopped accepting", l.Address())
	default:
	}
	if since := l.failing.Load(); since != 0 && time.Since(time.Unix(0, since)) > time.Second {
		return fmt.Errorf("MQTT listener %s cannot accept connections since %s (out of file descriptors?)",
			l.Address(), time.Unix(0, since).UTC().Format(time.RFC3339))
	}
	return nil
}

func remoteHost(c net.Conn) string {
	if a, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		return a.IP.String()
	}
	host, _, _ := net.SplitHostPort(c.RemoteAddr().String())
	return host
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// listenFree binds addr; when its port is taken and tries > 0, the next
// ports up to tries higher are tried in turn.
func listenFree(addr string, tries int) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err == nil || tries <= 0 || !errors.Is(err, syscall.EADDRINUSE) {
		return ln, err
	}
	host, port, perr := net.SplitHostPort(addr)
	var p int
	if perr != nil || port == "0" {
		return nil, err
	}
	if _, serr := fmt.Sscan(port, &p); serr != nil {
		return nil, err
	}
	for i := 1; i <= tries && p+i < 65536; i++ {
		if ln, e := net.Listen("tcp", net.JoinHostPort(host, fmt.Sprint(p+i))); e == nil {
			return ln, nil
		}
	}
	return nil, err
}
