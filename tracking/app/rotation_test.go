package app_test

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// mqttConnect is an MQTT 3.1.1 CONNECT (clean session, keepalive 30 s),
// written by hand so a device can hammer the broker without a library's
// back-off.
func mqttConnect(clientID, user, pass string) []byte {
	str := func(s string) []byte { return append(binary.BigEndian.AppendUint16(nil, uint16(len(s))), s...) }
	body := append(str("MQTT"), 4, 0x02|0x80|0x40, 0, 30)
	body = append(append(append(body, str(clientID)...), str(user)...), str(pass)...)
	return append([]byte{0x10, byte(len(body))}, body...)
}

// mqttPublish is a QoS 0 PUBLISH.
func mqttPublish(topic, payload string) []byte {
	body := append(binary.BigEndian.AppendUint16(nil, uint16(len(topic))), topic...)
	body = append(body, payload...)
	n := len(body)
	return append([]byte{0x30, byte(n%128 | 0x80), byte(n / 128)}, body...)
}

// A credential rotation is atomic (issue 22, item 21: in 16% of rotations
// a session opened with the old password outlived the rotation and its
// next fix was applied). Devices reconnect as fast as they can with the
// password they were last given and their own client id (so they take
// over their own sessions), publishing fixes marked with that password's
// generation, while an admin rotates through the API. When a rotation
// answers, the broker holds no session the old password opened, and no fix
// of one is applied after the answer. Run with -race; rotations go at 5 a
// second or more (there is no lower limit).
func TestRotationClosesEveryOldSession(t *testing.T) {
	s := newTrackerStack(t, "")
	unit := fmt.Sprintf("RO%d", time.Now().UnixNano()%1e9)
	first := s.register(t, unit)
	type credential struct {
		gen  int
		pass string
	}
	var given atomic.Pointer[credential] // what the devices were last told
	given.Store(&credential{0, first})

	// Every applied fix of the unit, with the generation of the password
	// its session logged in with (its "acc") and when it was applied.
	sub := s.a.Units.Bus().Subscribe(1 << 16)
	defer s.a.Units.Bus().Unsubscribe(sub)
	type applied struct {
		gen int
		at  time.Time
	}
	var mu sync.Mutex
	var fixes []applied
	observed := make(chan struct{})
	go func() {
		defer close(observed)
		for e := range sub.C {
			if e.Kind == "unit" && e.Action == "moved" && e.Unit != nil && e.Unit.ID == unit {
				mu.Lock()
				fixes = append(fixes, applied{int(e.Unit.Position.AccuracyM.Value), e.At})
				mu.Unlock()
			}
		}
	}()

	stop := make(chan struct{})
	var devices sync.WaitGroup
	var logins, published atomic.Int64
	addr := s.a.Broker.Addr()
	for d := range 6 {
		devices.Add(1)
		go func() {
			defer devices.Done()
			clientID := fmt.Sprintf("%s-dev%d", unit, d)
			for {
				select {
				case <-stop:
					return
				default:
				}
				c := given.Load()
				conn, err := net.DialTimeout("tcp", addr, time.Second)
				if err != nil {
					continue
				}
				conn.SetDeadline(time.Now().Add(2 * time.Second))
				var ack [4]byte
				if _, err := conn.Write(mqttConnect(clientID, unit, c.pass)); err != nil || func() bool {
					_, err := io.ReadFull(bufio.NewReader(conn), ack[:])
					return err != nil
				}() || ack[3] != 0 {
					conn.Close()
					time.Sleep(time.Millisecond)
					continue
				}
				logins.Add(1)
				for i := 0; ; i++ {
					tst := float64(time.Now().UnixMicro()) / 1e6
					fix := fmt.Sprintf(`{"_type":"location","lat":-6.1%03d,"lon":106.15,"tst":%.6f,"acc":%d}`, i%1000, tst, c.gen)
					if _, err := conn.Write(mqttPublish("owntracks/dinkes/"+unit, fix)); err != nil {
						break
					}
					published.Add(1)
					select {
					case <-stop:
						conn.Close()
						return
					case <-time.After(time.Millisecond):
					}
				}
				conn.Close()
			}
		}()
	}

	const rotations = 150
	answered := make([]time.Time, rotations+1) // answered[k]: when rotation k answered
	start := time.Now()
	for k := 1; k <= rotations; k++ {
		time.Sleep(20 * time.Millisecond) // the devices log in with password k-1 …
		code, body := s.api(t, "POST", "/api/units/"+unit+"/credentials", "")
		answered[k] = time.Now()
		if code != 200 {
			t.Fatalf("rotation %d: %d %s", k, code, body)
		}
		// … which from now on opens nothing, and nothing it opened is open.
		if n := s.a.Broker.LiveLogins(unit); n != 0 {
			t.Fatalf("rotation %d answered with %d session(s) of the old password still open", k, n)
		}
		var r struct{ MQTT struct{ Password string } }
		if err := json.Unmarshal([]byte(body), &r); err != nil || r.MQTT.Password == "" {
			t.Fatalf("rotation %d answered %s", k, body)
		}
		given.Store(&credential{k, r.MQTT.Password})
	}
	elapsed := time.Since(start)
	close(stop)
	devices.Wait()
	time.Sleep(100 * time.Millisecond)
	s.a.Units.Bus().Unsubscribe(sub)
	<-observed

	mu.Lock()
	defer mu.Unlock()
	late := 0
	for _, f := range fixes {
		// A fix of a login with password gen was applied after rotation
		// gen+1 (which revoked that password) had answered.
		if f.gen+1 <= rotations && f.at.After(answered[f.gen+1]) {
			late++
			if late <= 5 {
				t.Errorf("a fix of a session opened with password %d was applied %v after rotation %d answered",
					f.gen, f.at.Sub(answered[f.gen+1]), f.gen+1)
			}
		}
	}
	if late > 0 {
		t.Errorf("%d fixes of old sessions applied after their rotation answered", late)
	}
	t.Logf("%d rotations in %v (%.0f/s); %d logins, %d fixes published, %d applied",
		rotations, elapsed.Round(time.Millisecond), rotations/elapsed.Seconds(), logins.Load(), published.Load(), len(fixes))
	if logins.Load() < rotations || len(fixes) < rotations {
		t.Fatalf("too little traffic to race the rotations: %d logins, %d fixes applied", logins.Load(), len(fixes))
	}
}
