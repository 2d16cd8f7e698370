// Package connlimit shares the process's file descriptors among its
// listeners, so that a flood of connections on one port (idle sockets to
// the OsmAnd port, say) can never take the descriptors another one needs
// (the MQTT broker's devices, the dispatchers' web port, the database).
package connlimit

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
)

// Shares of the open-file limit, in eighths. What is left (a quarter) is
// for the database pool, webhooks, files and everything else the process
// opens.
const (
	MQTT   = 4 // the fleet's main channel: half
	OsmAnd = 1 // OsmAnd/Traccar Client trackers: an eighth
	Web    = 1 // the API, the map and its live feeds: an eighth
)

// FileLimit lifts the soft RLIMIT_NOFILE to the hard limit (Go does so at
// start on Linux already; this makes sure) and returns the soft limit in
// force; 0 when it cannot be read.
func FileLimit() uint64 {
	var r syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &r); err != nil {
		return 0
	}
	if r.Cur < r.Max {
		n := r
		n.Cur = n.Max
		if syscall.Setrlimit(syscall.RLIMIT_NOFILE, &n) == nil {
			r = n
		}
	}
	return r.Cur
}

// Share is eighths/8 of the file limit, at least 16 (a listener that gets
// nothing serves nobody); 0 when the limit is unknown (0).
func Share(fileLimit uint64, eighths int) int {
	if fileLimit == 0 {
		return 0
	}
	return max(16, int(fileLimit*uint64(eighths)/8))
}

// Cap returns want capped at the share (want ≤ 0: the share alone).
func Cap(want int, fileLimit uint64, eighths int) int {
	share := Share(fileLimit, eighths)
	switch {
	case share == 0:
		return want
	case want <= 0:
		return share
	}
	return min(want, share)
}

// Listener holds at most Max connections open at once, at most PerAddr of
// them from one source (an IPv4 address or an IPv6 /64). At Max it stops
// accepting: new connections wait in the kernel's queue, holding no
// descriptor of ours, until one closes. Over PerAddr a connection is
// closed at once and counted.
type Listener struct {
	net.Listener
	max, perAddr int
	slots        chan struct{}
	done         chan struct{} // closed by Close: a waiting Accept returns
	closeOnce    sync.Once
	mu           sync.Mutex
	open         map[netip.Prefix]int
	refused      atomic.Uint64 // connections closed over PerAddr
	onRefuse     func(source string)
}

// Limit wraps ln. max ≤ 0 or perAddr ≤ 0: no cap of that kind. onRefuse,
// when set, hears each connection closed over PerAddr (for a log line).
func Limit(ln net.Listener, max, perAddr int, onRefuse func(source string)) *Listener {
	l := &Listener{Listener: ln, max: max, perAddr: perAddr, open: map[netip.Prefix]int{}, onRefuse: onRefuse, done: make(chan struct{})}
	if max > 0 {
		l.slots = make(chan struct{}, max)
	}
	return l
}

// Accept waits for a free slot, then for a connection from a source with
// room.
func (l *Listener) Accept() (net.Conn, error) {
	for {
		if l.slots != nil {
			select {
			case l.slots <- struct{}{}:
			case <-l.done:
				return nil, net.ErrClosed
			}
		}
		c, err := l.Listener.Accept()
		if err != nil {
			l.free()
			return nil, err
		}
		src := Source(c.RemoteAddr())
		if !l.take(src) {
			c.Close()
			l.free()
			l.refused.Add(1)
			if l.onRefuse != nil {
				l.onRefuse(src.String())
			}
			continue
		}
		return &conn{Conn: c, l: l, src: src}, nil
	}
}

// Close stops accepting; connections already open stay open.
func (l *Listener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

func (l *Listener) free() {
	if l.slots != nil {
		<-l.slots
	}
}

func (l *Listener) take(src netip.Prefix) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.perAddr > 0 && l.open[src] >= l.perAddr {
		return false
	}
	l.open[src]++
	return true
}

func (l *Listener) release(src netip.Prefix) {
	l.mu.Lock()
	if l.open[src]--; l.open[src] <= 0 {
		delete(l.open, src)
	}
	l.mu.Unlock()
	l.free()
}

// Max is the cap on open connections (0: none); PerAddr the cap per source.
func (l *Listener) Max() int     { return l.max }
func (l *Listener) PerAddr() int { return l.perAddr }

// Open is the number of connections open now.
func (l *Listener) Open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, k := range l.open {
		n += k
	}
	return n
}

// Refused is how many connections were closed for the per-source cap.
func (l *Listener) Refused() uint64 { return l.refused.Load() }

type conn struct {
	net.Conn
	l    *Listener
	src  netip.Prefix
	once sync.Once
}

func (c *conn) Close() error {
	err := c.Conn.Close()
	c.once.Do(func() { c.l.release(c.src) })
	return err
}

// Source is the unit connections are counted by: the IPv4 address, or the
// /64 of an IPv6 one (one subscriber gets a whole /64); the zero Prefix
// when a has no IP address.
func Source(a net.Addr) netip.Prefix {
	if t, ok := a.(*net.TCPAddr); ok {
		ip, _ := netip.AddrFromSlice(t.IP)
		return source(ip)
	}
	return SourceOf(a.String())
}

// SourceOf is Source of a "host:port" (or bare host) string, as
// http.Request.RemoteAddr.
func SourceOf(remote string) netip.Prefix {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, _ := netip.ParseAddr(host)
	return source(ip)
}

func source(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap().WithZone("")
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	if ip.Is4() {
		return netip.PrefixFrom(ip, 32)
	}
	p, _ := ip.Prefix(64)
	return p
}
