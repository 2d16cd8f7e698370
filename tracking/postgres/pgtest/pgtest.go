// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in DATABASE_TEST_URL's database, dropped when the test ends.
package pgtest

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"siaga112/tracking/trackingtest"
)

// URL returns DATABASE_TEST_URL pointed at a fresh schema (PostGIS stays
// reachable in public), or skips the test saying why.
func URL(t testing.TB) string {
	t.Helper()
	base := trackingtest.Env(t, "DATABASE_TEST_URL", "a PostGIS database to test against; bash .ci/run sets it")
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatalf("DATABASE_TEST_URL: %v", err)
	}
	defer admin.Close(ctx)
	schema := fmt.Sprintf("t_%d_%d", time.Now().UnixNano(), rand.IntN(1e6))
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), base); err == nil {
			c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema+",public")
	u.RawQuery = q.Encode()
	return u.String()
}

// Proxy is a TCP proxy the test can cut, standing between the store and
// PostgreSQL, so an outage is simulated without stopping the shared server.
type Proxy struct {
	ln      net.Listener
	target  string
	mu      sync.Mutex
	cut     bool
	conns   []net.Conn
	latency atomic.Int64 // added to every reply from the database, in ns
}

// SetLatency delays every reply from the database by d (0: none), as a
// slow or distant database would: bytes keep their order and throughput,
// each arrives d later than it would.
func (p *Proxy) SetLatency(d time.Duration) { p.latency.Store(int64(d)) }

// delayed copies src to dst, each chunk held until the latency read when
// it arrived has passed.
func (p *Proxy) delayed(dst io.WriteCloser, src io.Reader) {
	type chunk struct {
		due time.Time
		b   []byte
	}
	q := make(chan chunk, 1024)
	go func() {
		defer dst.Close()
		for c := range q {
			time.Sleep(time.Until(c.due))
			if _, err := dst.Write(c.b); err != nil {
				for range q {
				}
				return
			}
		}
	}()
	defer close(q)
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			q <- chunk{time.Now().Add(time.Duration(p.latency.Load())), append([]byte(nil), buf[:n]...)}
		}
		if err != nil {
			return
		}
	}
}

func StartProxy(t testing.TB, target string) *Proxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &Proxy{ln: ln, target: target}
	t.Cleanup(func() { ln.Close(); p.Cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			if p.cut {
				p.mu.Unlock()
				c.Close()
				continue
			}
			up, err := net.Dial("tcp", target)
			if err != nil {
				p.mu.Unlock()
				c.Close()
				continue
			}
			p.conns = append(p.conns, c, up)
			p.mu.Unlock()
			go func() { io.Copy(up, c); up.Close() }()
			go p.delayed(c, up)
		}
	}()
	return p
}

// Cut drops every connection and refuses new ones until Restore.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = true
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

func (p *Proxy) Restore() { p.mu.Lock(); p.cut = false; p.mu.Unlock() }

// Addr is where to connect instead of the database.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Via returns dbURL with its host replaced by the proxy's.
func (p *Proxy) Via(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return dbURL
	}
	u.Host = p.Addr()
	return u.String()
}

// Target is the host:port the proxy forwards to, from a database URL.
func Target(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return u.Host
}

// Conn connects to dbURL for the test's own checks.
func Conn(t testing.TB, dbURL string) *pgx.Conn {
	t.Helper()
	c, err := pgx.Connect(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close(context.Background()) })
	return c
}
