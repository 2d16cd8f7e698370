package owntracks

// shallow is how many brackets a payload may hold and still go straight to
// fastjson. The apps' payloads hold one to three; waypoint lists more.
const shallow = 16

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
