package tracking

import (
	"strings"
	"testing"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name      string
		s         string
		max       int
		multiline bool
		ok        bool
	}{
		{"plain", "Ambulans 1", 20, false, true},
		{"markup is text", "<script>", 20, false, true},
		{"tab", "a\tb", 20, false, true},
		{"newline on one line", "a\nb", 20, false, false},
		{"newline multiline", "a\r\nb", 20, true, true},
		{"NUL", "a\x00b", 20, true, false},
		{"escape", "\x1b[2J", 20, true, false},
		{"DEL", "a\x7f", 20, true, false},
		{"C1 control", "a\u0085", 20, true, false},
		{"line separator", "a\u2028b", 20, true, false},
		{"invalid UTF-8", "a\xffb", 20, true, false},
		// Issue 22 (7): bidi controls reorder what a dispatcher reads.
		{"right-to-left override", "AMB\u202e1", 20, true, false},
		{"left-to-right embedding", "\u202aA", 20, true, false},
		{"first strong isolate", "a\u2068b", 20, true, false},
		{"isolate and its end", "\u2066x\u2069", 20, true, false},
		{"right-to-left mark", "a\u200fb", 20, true, false},
		{"left-to-right mark", "a\u200eb", 20, true, false},
		{"Arabic letter mark", "a\u061cb", 20, true, false},
		{"Arabic text is text", "مستشفى", 20, false, true},
		{"zero-width joiner is text", "a\u200db", 20, false, true},
		{"at the limit", strings.Repeat("é", 10), 20, false, true},
		{"over the limit", strings.Repeat("é", 11), 20, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckText("f", tt.s, tt.max, tt.multiline)
			if (err == nil) != tt.ok || (err != nil && (CodeOf(err) != CodeInvalid || !strings.Contains(err.Error(), `"f"`))) {
				t.Fatalf("CheckText(%q) = %v, want ok=%v", tt.s, err, tt.ok)
			}
		})
	}
}
