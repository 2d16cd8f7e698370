package phone_test

import (
	"fmt"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// A few lines of SIP over UDP, enough to play the trunk (a caller that
// goes through with a call: INVITE, ACK, BYE) and the PBX (rings, answers,
// accepts the BYE) around Kamailio. sipsak plays the trunk in the tests of
// refusals; it cannot finish a dialog.

type sipMsg struct {
	first string
	hdrs  [][2]string
}

func parseSIP(b []byte) (sipMsg, bool) {
	head, _, _ := strings.Cut(string(b), "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	if len(lines) == 0 {
		return sipMsg{}, false
	}
	m := sipMsg{first: lines[0]}
	for _, l := range lines[1:] {
		k, v, ok := strings.Cut(l, ":")
		if ok {
			m.hdrs = append(m.hdrs, [2]string{strings.TrimSpace(k), strings.TrimSpace(v)})
		}
	}
	return m, true
}

func (m sipMsg) get(name string) string {
	for _, h := range m.hdrs {
		if strings.EqualFold(h[0], name) {
			return h[1]
		}
	}
	return ""
}

func (m sipMsg) all(name string) []string {
	var out []string
	for _, h := range m.hdrs {
		if strings.EqualFold(h[0], name) {
			out = append(out, h[1])
		}
	}
	return out
}

// status is the code of a reply (0 for a request).
func (m sipMsg) status() int {
	var code int
	if _, err := fmt.Sscanf(m.first, "SIP/2.0 %d", &code); err != nil {
		return 0
	}
	return code
}

func (m sipMsg) method() string {
	if m.status() != 0 {
		return ""
	}
	method, _, _ := strings.Cut(m.first, " ")
	return method
}

func build(first string, hdrs ...string) []byte {
	return []byte(first + "\r\n" + strings.Join(hdrs, "\r\n") + "\r\nContent-Length: 0\r\n\r\n")
}

// busyUser is the caller the PBX answers 486 Busy Here.
const busyUser = "+6281255554444"

// pbx answers every INVITE with 180 Ringing, then 200 OK after ring, and
// every BYE with 200 OK; ACKs are taken in silence.
type pbx struct {
	conn *net.UDPConn
	ring time.Duration
	mu   sync.Mutex
	seen []string // methods received
	// ringing: the calls not yet answered, by Call-ID, with the function
	// that answers their INVITE.
	ringing map[string]func(code string, extra ...string)
}

func startPBX(t *testing.T, ring time.Duration) *pbx {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	p := &pbx{conn: c, ring: ring, ringing: map[string]func(string, ...string){}}
	t.Cleanup(func() { c.Close() })
	go p.serve()
	return p
}

func (p *pbx) addr() string { return p.conn.LocalAddr().String() }

func (p *pbx) methods() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.seen...)
}

func (p *pbx) serve() {
	buf := make([]byte, 65535)
	for {
		n, from, err := p.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		m, ok := parseSIP(buf[:n])
		if !ok || m.method() == "" {
			continue
		}
		p.mu.Lock()
		p.seen = append(p.seen, m.method())
		p.mu.Unlock()
		reply := func(code string, extra ...string) {
			var h []string
			for _, v := range m.all("Via") {
				h = append(h, "Via: "+v)
			}
			for _, v := range m.all("Record-Route") {
				h = append(h, "Record-Route: "+v)
			}
			to := m.get("To")
			if !strings.Contains(to, "tag=") {
				to += ";tag=pbx1"
			}
			h = append(h, "From: "+m.get("From"), "To: "+to, "Call-ID: "+m.get("Call-ID"), "CSeq: "+m.get("CSeq"))
			h = append(h, extra...)
			p.conn.WriteToUDP(build("SIP/2.0 "+code, h...), from)
		}
		switch m.method() {
		case "INVITE":
			if strings.Contains(m.get("From"), busyUser) {
				reply("486 Busy Here")
				continue
			}
			reply("180 Ringing")
			p.mu.Lock()
			p.ringing[m.get("Call-ID")] = reply
			p.mu.Unlock()
			go func() {
				time.Sleep(p.ring)
				p.mu.Lock()
				_, still := p.ringing[m.get("Call-ID")]
				delete(p.ringing, m.get("Call-ID"))
				p.mu.Unlock()
				if still {
					reply("200 OK", "Contact: <sip:agent1@"+p.addr()+">")
				}
			}()
		case "CANCEL":
			reply("200 OK")
			p.mu.Lock()
			inviteReply, ok := p.ringing[m.get("Call-ID")]
			delete(p.ringing, m.get("Call-ID"))
			p.mu.Unlock()
			if ok {
				inviteReply("487 Request Terminated")
			}
		case "BYE":
			reply("200 OK")
		}
	}
}

// caller plays the trunk for one call through the proxy at proxy.
type caller struct {
	t      *testing.T
	conn   *net.UDPConn
	proxy  *net.UDPAddr
	callID string
	from   string // the From header
	pai    string // a P-Asserted-Identity header value, or ""
	// retransmit sends the INVITE a second time, 100 ms later.
	retransmit bool
	// cancel hangs up when the call rings.
	cancel bool
}

func newCaller(t *testing.T, proxy, callID, from, pai string) *caller {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	pa, err := net.ResolveUDPAddr("udp", proxy)
	if err != nil {
		t.Fatal(err)
	}
	return &caller{t: t, conn: c, proxy: pa, callID: callID, from: from, pai: pai}
}

func (c *caller) via(branch string) string {
	return "Via: SIP/2.0/UDP " + c.conn.LocalAddr().String() + ";rport;branch=z9hG4bK" + branch
}

// read waits for the next message, up to d.
func (c *caller) read(d time.Duration) (sipMsg, bool) {
	buf := make([]byte, 65535)
	c.conn.SetReadDeadline(time.Now().Add(d))
	n, err := c.conn.Read(buf)
	if err != nil {
		return sipMsg{}, false
	}
	return parseSIP(buf[:n])
}

// call sends the INVITE and waits for its final answer (and ACKs it:
// a non-2xx hop by hop, a 2xx end to end through the recorded route).
func (c *caller) call() (final sipMsg, provisional []int) {
	c.t.Helper()
	hdrs := []string{c.via(c.callID + "-1"), "Max-Forwards: 70", "From: " + c.from,
		"To: <sip:112@" + c.proxy.String() + ">", "Call-ID: " + c.callID, "CSeq: 1 INVITE",
		"Contact: <sip:caller@" + c.conn.LocalAddr().String() + ">"}
	if c.pai != "" {
		hdrs = append(hdrs, "P-Asserted-Identity: "+c.pai)
	}
	inv := build("INVITE sip:112@"+c.proxy.String()+" SIP/2.0", hdrs...)
	c.conn.WriteToUDP(inv, c.proxy)
	if c.retransmit {
		// The trunk's retransmit, while the proxy is still asking.
		time.Sleep(100 * time.Millisecond)
		c.conn.WriteToUDP(inv, c.proxy)
	}
	for {
		m, ok := c.read(5 * time.Second)
		if !ok {
			c.t.Fatal("no final answer to the INVITE within 5 s")
		}
		if code := m.status(); code < 200 {
			provisional = append(provisional, code)
			if code == 180 && c.cancel {
				// Hang up while it rings: CANCEL matches the INVITE.
				c.conn.WriteToUDP(build("CANCEL sip:112@"+c.proxy.String()+" SIP/2.0", c.via(c.callID+"-1"), "Max-Forwards: 70",
					"From: "+c.from, "To: <sip:112@"+c.proxy.String()+">", "Call-ID: "+c.callID, "CSeq: 1 CANCEL"), c.proxy)
			}
			continue
		}
		if strings.HasSuffix(m.get("CSeq"), "CANCEL") {
			continue
		}
		if m.status() >= 300 {
			c.conn.WriteToUDP(build("ACK sip:112@"+c.proxy.String()+" SIP/2.0", c.via(c.callID+"-1"), "Max-Forwards: 70",
				"From: "+c.from, "To: "+m.get("To"), "Call-ID: "+c.callID, "CSeq: 1 ACK"), c.proxy)
		} else {
			c.inDialog(m, "ACK", 1)
		}
		return m, provisional
	}
}

// inDialog sends an ACK or BYE of the dialog the 2xx ok set up.
func (c *caller) inDialog(ok sipMsg, method string, cseq int) {
	rr := ok.all("Record-Route")
	var route []string
	for i := len(rr) - 1; i >= 0; i-- { // the caller uses the route in reverse
		route = append(route, "Route: "+rr[i])
	}
	contact := strings.Trim(ok.get("Contact"), "<>")
	h := append([]string{c.via(fmt.Sprintf("%s-%s", c.callID, method)), "Max-Forwards: 70", "From: " + c.from,
		"To: " + ok.get("To"), "Call-ID: " + c.callID, fmt.Sprintf("CSeq: %d %s", cseq, method)}, route...)
	c.conn.WriteToUDP(build(method+" "+contact+" SIP/2.0", h...), c.proxy)
}

// hangUp sends the BYE and waits for its 200.
func (c *caller) hangUp(ok sipMsg) int {
	c.t.Helper()
	c.inDialog(ok, "BYE", 2)
	for {
		m, got := c.read(5 * time.Second)
		if !got {
			c.t.Fatal("no answer to the BYE within 5 s")
		}
		if strings.HasSuffix(m.get("CSeq"), "BYE") && m.status() >= 200 {
			return m.status()
		}
	}
}
