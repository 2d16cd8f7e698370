package mqtt

import (
	"bufio"
	"encoding/binary"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// rawConnect is an MQTT 3.1.1 CONNECT written by hand, so a test can do what
// no well-behaved library does: set any will, then drop the socket.
type rawConnect struct {
	clientID, user, pass string
	willTopic, willMsg   string
	willRetain, noClean  bool
	willQoS              byte
	keepalive            uint16
}

func mqttString(s string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(s)))
	return append(b, s...)
}

func remainingLength(n int) []byte {
	var out []byte
	for {
		d := byte(n % 128)
		n /= 128
		if n > 0 {
			d |= 0x80
		}
		out = append(out, d)
		if n == 0 {
			return out
		}
	}
}

func (c rawConnect) bytes() []byte {
	flags := byte(0)
	if !c.noClean {
		flags |= 0x02
	}
	if c.willTopic != "" {
		flags |= 0x04 | c.willQoS<<3
		if c.willRetain {
			flags |= 0x20
		}
	}
	if c.user != "" {
		flags |= 0x80 | 0x40
	}
	body := append(mqttString("MQTT"), 4, flags)
	body = binary.BigEndian.AppendUint16(body, c.keepalive)
	body = append(body, mqttString(c.clientID)...)
	if c.willTopic != "" {
		body = append(body, mqttString(c.willTopic)...)
		body = append(body, mqttString(c.willMsg)...)
	}
	if c.user != "" {
		body = append(body, mqttString(c.user)...)
		body = append(body, mqttString(c.pass)...)
	}
	return append(append([]byte{0x10}, remainingLength(len(body))...), body...)
}

// rawPublish is a PUBLISH packet (QoS 0 or 1, packet id 1).
func rawPublish(topic, payload string, qos byte, retain bool) []byte {
	h := byte(0x30) | qos<<1
	if retain {
		h |= 1
	}
	body := mqttString(topic)
	if qos > 0 {
		body = append(body, 0, 1)
	}
	body = append(body, payload...)
	return append(append([]byte{h}, remainingLength(len(body))...), body...)
}

// dialRaw connects, sends c and returns the connection and the CONNACK
// return code (0 accepted), or -1 when the broker closed without one.
func dialRaw(t *testing.T, addr string, c rawConnect) (net.Conn, int) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if c.keepalive == 0 {
		c.keepalive = 30
	}
	if _, err := conn.Write(c.bytes()); err != nil {
		return conn, -1
	}
	conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	var ack [4]byte
	if _, err := io.ReadFull(bufio.NewReader(conn), ack[:]); err != nil || ack[0] != 0x20 {
		return conn, -1
	}
	conn.SetReadDeadline(time.Time{})
	return conn, int(ack[3])
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
