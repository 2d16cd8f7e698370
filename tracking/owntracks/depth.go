package owntracks

import (
	"bytes"

	"github.com/valyala/fastjson"
)

// shallow is how many brackets a payload may hold and be known shallow
// enough for fastjson without counting. The apps' payloads hold one to
// three; waypoint lists more.
const shallow = 16

// deep tells valid JSON that nests deeper than fastjson.MaxDepth, which
// fastjson refuses, wording its error once more at each level it unwinds:
// 600 bytes of "[" cost it a millisecond and megabytes.
func deep(valid []byte) bool {
	return bytes.Count(valid, openBracket)+bytes.Count(valid, openBrace) > shallow &&
		depth(valid) > fastjson.MaxDepth
}

var openBracket, openBrace = []byte{'['}, []byte{'{'}

// depth is how deep JSON nests, counted as fastjson.MaxDepth counts: the
// top-level value at 1, its members at 2, and so on. It is only for JSON
// that json.Valid has passed: it skips strings by their quotes and escapes
// and checks nothing.
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
