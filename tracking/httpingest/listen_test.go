package httpingest

import (
	"errors"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// The OsmAnd listener caps the connections one address holds (issue 22,
// item 19): past the cap a connection is closed at once and counted, and
// a tracker at another address is served.
func TestOsmAndListenerPerAddressCap(t *testing.T) {
	const perAddr = 4
	ln, err := ListenOsmAnd("127.0.0.1:0", 100, perAddr, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := NewOsmAndServer("", newIngest(newWorld()).OsmAnd())
	go srv.Serve(ln)
	defer srv.Close()
	from := func(ip string) net.Conn {
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(ip)}, Timeout: 2 * time.Second}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	for range perAddr {
		from("127.0.0.7")
	}
	over := from("127.0.0.7")
	over.SetReadDeadline(time.Now().Add(2 * time.Second))
	var ne net.Error
	if _, err := over.Read(make([]byte, 1)); err == nil || errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("connection %d from one address was not closed: %v", perAddr+1, err)
	}
	resp := get(t, sourced("127.0.0.8"), "http://"+ln.Addr().String()+"/?id="+imei+"&lat=-6.12&lon=106.15&key=s3cret")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("another address: %d", resp.StatusCode)
	}
	if ln.Refused() != 1 {
		t.Fatalf("refused %d connections, want 1", ln.Refused())
	}
	if n := testutil.CollectAndCount(ln); n != 2 {
		t.Fatalf("the listener exports %d series, want 2", n)
	}
}
