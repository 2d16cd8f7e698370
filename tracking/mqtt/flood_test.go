package mqtt

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestFloodHelper is not a test: run by flood() in a child process, it opens
// SIAGA112_FLOOD_N idle TCP connections to SIAGA112_FLOOD_ADDR (sending
// nothing) and holds them for SIAGA112_FLOOD_HOLD. A separate process, so
// the flood's descriptors are not the broker's.
func TestFloodHelper(t *testing.T) {
	addr := os.Getenv("SIAGA112_FLOOD_ADDR")
	if addr == "" {
		t.Skip("helper process for the flood tests")
	}
	n, _ := strconv.Atoi(os.Getenv("SIAGA112_FLOOD_N"))
	hold, _ := time.ParseDuration(os.Getenv("SIAGA112_FLOOD_HOLD"))
	end := time.Now().Add(hold)
	var conns []net.Conn
	for i := 0; i < n && time.Now().Before(end); i++ {
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			conns = append(conns, c)
		}
	}
	fmt.Println("opened", len(conns))
	time.Sleep(time.Until(end))
}

// flood starts the flooding child and returns a channel closed when it has
// ended (its sockets are closed by then).
func flood(t *testing.T, addr string, n int, hold time.Duration) <-chan struct{} {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestFloodHelper$")
	cmd.Env = append(os.Environ(), "SIAGA112_FLOOD_ADDR="+addr, fmt.Sprintf("SIAGA112_FLOOD_N=%d", n), "SIAGA112_FLOOD_HOLD="+hold.String())
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() { cmd.Process.Kill(); <-done })
	return done
}

// Defect 2: idle connections that never sent CONNECT were never closed and
// used up the process's descriptors. Now they are capped per address and
// closed after the CONNECT timeout, and a device gets in right after.
func TestConnectionFloodEnds(t *testing.T) {
	h := newHostile(t, BrokerConfig{Limits: Limits{ConnectTimeout: time.Second, MaxConnsPerAddr: 100, MaxConns: 1000}})
	done := flood(t, h.b.Addr(), 2000, 3*time.Second)
	idle, err := net.Dial("tcp", h.b.Addr()) // one more idle socket, never sending CONNECT
	if err != nil {
		t.Fatal(err)
	}
	defer idle.Close()
	idle.SetReadDeadline(time.Now().Add(2500 * time.Millisecond))
	if _, err := idle.Read(make([]byte, 1)); isTimeout(err) {
		t.Fatal("an idle connection was still open 2.5 s after connecting (CONNECT timeout 1 s)")
	}
	eventually(t, 5*time.Second, "per-address cap reached", func() bool { return h.b.RefusedBy(RefusedAddrCap) > 0 })
	if n := h.b.Connections(); n > 100 {
		t.Fatalf("%d connections held from one address, cap 100", n)
	}
	eventually(t, 5*time.Second, "idle connections closed by the CONNECT timeout", func() bool {
		return h.b.RefusedBy(RefusedConnectTimeout) >= 100
	})
	<-done
	start := time.Now()
	eventually(t, 5*time.Second, "a device connects after the flood", func() bool {
		_, err = h.device(t, "amb01", "AMB-01", "pw-1", "", nil)
		return err == nil
	})
	t.Logf("device connected %v after the flood ended", time.Since(start).Round(time.Millisecond))
}

// Defect 2, the worst part: after running out of descriptors the broker's
// listener never accepted again (nothing logged, /healthz ok). Now accept
// backs off, /healthz-visible, and resumes.
func TestAcceptSurvivesEMFILE(t *testing.T) {
	h := newHostile(t, BrokerConfig{Limits: Limits{ConnectTimeout: 30 * time.Second, MaxConnsPerAddr: 5000, MaxConns: 5000}})
	var old syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &old); err != nil {
		t.Fatal(err)
	}
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	low := old
	low.Cur = uint64(len(fds) + 40)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &low); err != nil {
		t.Skip("cannot lower RLIMIT_NOFILE:", err)
	}
	restored := false
	restore := func() {
		if !restored {
			restored = true
			syscall.Setrlimit(syscall.RLIMIT_NOFILE, &old)
		}
	}
	t.Cleanup(restore)
	done := flood(t, h.b.Addr(), 300, 3*time.Second)
	eventually(t, 5*time.Second, "the listener reports it cannot accept", func() bool { return h.b.Healthy() != nil })
	t.Log("during the flood:", h.b.Healthy())
	<-done
	restore()
	eventually(t, 10*time.Second, "a device connects after descriptors are free", func() bool {
		_, err := h.device(t, fmt.Sprintf("amb01-%d", time.Now().UnixNano()), "AMB-01", "pw-1", "", nil)
		return err == nil
	})
	eventually(t, 3*time.Second, "the listener is healthy again", func() bool { return h.b.Healthy() == nil })
}
