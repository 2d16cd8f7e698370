package owntracks

import (
	"bytes"
	"encoding/binary"
)

// shallow is how many brackets a payload may hold and still go straight to
// fastjson. The apps' payloads hold one to three; waypoint lists more.
const shallow = 16

// suspect tells a payload that fastjson must not be left to refuse, and
// that encoding/json's json.Valid (and depth) check first:
//
//   - More than shallow brackets. fastjson words an error once more at each
//     level it unwinds, so a payload refused hundreds of levels down costs
//     it a millisecond and megabytes (600 bytes of "[" did).
//   - A backslash and a byte below 0x20. fastjson.Validate (v1.6.10) checks
//     a string for raw control characters only after its last escape, so
//     it takes {"a":"\x01\n"}, which is not JSON. The apps send compact
//     JSON, with no such byte in it.
//
// Anything else has fastjson.Validate's verdict, which is exact there.
func suspect(payload []byte) bool {
	return bytes.Count(payload, openBracket)+bytes.Count(payload, openBrace) > shallow ||
		bytes.IndexByte(payload, '\\') >= 0 && control(payload)
}

var openBracket, openBrace = []byte{'['}, []byte{'{'}

// control tells whether b holds a byte below 0x20. It tests eight bytes at
// a time (an iOS POI image is 40 KiB of base64 with "\/" in it): x-0x20
// borrows into the high bit of exactly the bytes below 0x20, and ^x drops
// the bytes that had it set already.
func control(b []byte) bool {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; len(b) >= 8; b = b[8:] {
		x := binary.LittleEndian.Uint64(b)
		if (x-0x20*ones)&^x&highs != 0 {
			return true
		}
	}
	for _, c := range b {
		if c < 0x20 {
			return true
		}
	}
	return false
}

// depth is how deep JSON nests, counted as fastjson.MaxDepth counts: the
// top-level value at 1, its members at 2, and so on. It is only for JSON
// that encoding/json has validated: it skips strings by their quotes and
// escapes and checks nothing.
func depth(valid []byte) int {
	deepest, open := 0, 0
	for i := 0; i < len(valid); i++ {
		switch valid[i] {
		case ' ', '\t', '\r', '\n', ',', ':':
		case ']', '}':
			open--
		case '[', '{':
			deepest = max(deepest, open+1)
			open++
		case '"':
			deepest = max(deepest, open+1)
			for i++; i < len(valid) && valid[i] != '"'; i++ {
				if valid[i] == '\\' {
					i++
				}
			}
		default: // a number or a literal
			deepest = max(deepest, open+1)
		}
	}
	return deepest
}
