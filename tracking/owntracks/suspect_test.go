package owntracks

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

// control must find a byte below 0x20 wherever it is and whatever is
// around it (a borrow must not spill from one byte into the next).
func TestControl(t *testing.T) {
	naive := func(b []byte) bool {
		for _, c := range b {
			if c < 0x20 {
				return true
			}
		}
		return false
	}
	for _, fill := range []byte{0x20, 0x21, 0x7F, 0x80, 0xA0, 0xFF} {
		for n := range 20 {
			for at := range n {
				for c := range 256 {
					b := bytes.Repeat([]byte{fill}, n)
					b[at] = byte(c)
					if control(b) != naive(b) {
						t.Fatalf("control(% x) = %v", b, control(b))
					}
				}
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		b := make([]byte, r.IntN(40))
		for i := range b {
			b[i] = byte(0x1C + r.IntN(256-0x1C))
		}
		if control(b) != naive(b) {
			t.Fatalf("control(% x) = %v", b, control(b))
		}
	}
}
