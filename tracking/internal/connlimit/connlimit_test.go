package connlimit

import (
	"errors"
	"net"
	"testing"
	"time"
)

func TestShare(t *testing.T) {
	tests := []struct {
		name      string
		want      int
		fileLimit uint64
		eighths   int
		got       int
	}{
		{"MQTT's half of 2048", 10000, 2048, MQTT, 1024},
		{"OsmAnd's eighth of 2048", 4096, 2048, OsmAnd, 256},
		{"a wish below the share stays", 100, 2048, OsmAnd, 100},
		{"no wish: the share", 0, 2048, Web, 256},
		{"at least 16", 4096, 64, OsmAnd, 16},
		{"unknown limit: the wish", 4096, 0, OsmAnd, 4096},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Cap(tt.want, tt.fileLimit, tt.eighths); got != tt.got {
				t.Fatalf("Cap(%d, %d, %d) = %d, want %d", tt.want, tt.fileLimit, tt.eighths, got, tt.got)
			}
		})
	}
	if MQTT+OsmAnd+Web > 6 {
		t.Fatal("the listeners' shares leave less than a quarter of the descriptors")
	}
}

func dial(t *testing.T, from, to string) net.Conn {
	t.Helper()
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 2 * time.Second}
	c, err := d.Dial("tcp", to)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// accepted reports whether the listener hands over a connection within d.
func accepted(l net.Listener, d time.Duration) chan net.Conn {
	ch := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			ch <- c
		}
		close(ch)
	}()
	return ch
}

// TestListener: at Max it waits for a close; over PerAddr from one source
// the connection is closed and counted while another source is served;
// Close ends a waiting Accept.
func TestListener(t *testing.T) {
	raw, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var refusedFrom string
	l := Limit(raw, 3, 2, func(src string) { refusedFrom = src })
	addr := raw.Addr().String()

	dial(t, "127.0.0.1", addr)
	a1 := <-accepted(l, time.Second)
	dial(t, "127.0.0.1", addr)
	a2 := <-accepted(l, time.Second)
	if a1 == nil || a2 == nil {
		t.Fatal("two connections from one source not accepted")
	}
	// The third from the same source is closed at once; one from another
	// source is the one Accept returns.
	third := dial(t, "127.0.0.1", addr)
	dial(t, "127.0.0.2", addr)
	b1 := <-accepted(l, time.Second)
	if b1 == nil || Source(b1.RemoteAddr()).String() != "127.0.0.2/32" {
		t.Fatalf("accepted %v, want the other source's", b1)
	}
	third.SetReadDeadline(time.Now().Add(2 * time.Second))
	var ne net.Error
	if _, err := third.Read(make([]byte, 1)); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection over the per-address cap was not closed: %v", err)
	}
	if l.Refused() != 1 || refusedFrom != "127.0.0.1/32" || l.Open() != 3 {
		t.Fatalf("refused %d (from %q), open %d", l.Refused(), refusedFrom, l.Open())
	}
	// At Max (3) the next waits until one closes.
	dial(t, "127.0.0.3", addr)
	next := accepted(l, time.Second)
	select {
	case c := <-next:
		t.Fatalf("accepted %v over Max", c)
	case <-time.After(200 * time.Millisecond):
	}
	a1.Close()
	a1.Close() // twice: one slot freed
	select {
	case c := <-next:
		if c == nil {
			t.Fatal("no connection after a slot was freed")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("a freed slot did not let the waiting connection in")
	}
	if l.Open() != 3 {
		t.Fatalf("open %d, want 3", l.Open())
	}
	// Close ends an Accept waiting for a slot.
	waiting := accepted(l, time.Second)
	l.Close()
	select {
	case c := <-waiting:
		if c != nil {
			t.Fatal("accepted after Close")
		}
	case <-time.After(2 * time.Second):
		t.Fatal("Close did not end a waiting Accept")
	}
}

func TestSource(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"IPv4", "192.0.2.7:5055", "192.0.2.7/32"},
		{"IPv6 to its /64", "[2001:db8:1:2:3:4:5:6]:5055", "2001:db8:1:2::/64"},
		{"IPv4-mapped", "[::ffff:192.0.2.7]:5055", "192.0.2.7/32"},
		{"zone dropped", "[fe80::1%eth0]:5055", "fe80::/64"},
		{"garbage", "nonsense", "invalid Prefix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SourceOf(tt.in).String(); got != tt.want {
				t.Fatalf("SourceOf(%q) = %s, want %s", tt.in, got, tt.want)
			}
		})
	}
}
