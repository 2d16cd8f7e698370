package trackingtest

import (
	"fmt"
	"strings"
	"testing"
)

// recorder is a testing.TB that notes how a helper ended it.
type recorder struct {
	testing.TB
	failed, skipped string
}

func (r *recorder) Helper() {}

func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func (r *recorder) Skip(args ...any) { r.skipped = fmt.Sprint(args...) }

func TestMissing(t *testing.T) {
	tests := []struct {
		name       string
		requireAll string
		call       func(tb testing.TB)
		failed     bool
		says       string
	}{
		{"service, alone: skips", "", func(tb testing.TB) { Env(tb, "SIAGA112_NO_SUCH_URL", "a fresh database") }, false, "SIAGA112_NO_SUCH_URL is not set (a fresh database)"},
		{"service, in CI: fails", "1", func(tb testing.TB) { Env(tb, "SIAGA112_NO_SUCH_URL", "a fresh database") }, true, "SIAGA112_REQUIRE_ALL=1"},
		{"tool, alone: skips", "", func(tb testing.TB) { Tool(tb, "siaga112-no-such-tool", "no-such-package") }, false, "Debian package no-such-package"},
		{"tool, in CI: fails", "1", func(tb testing.TB) { Tool(tb, "siaga112-no-such-tool", "no-such-package") }, true, "siaga112-no-such-tool is not installed"},
		{"python module, in CI: fails", "1", func(tb testing.TB) { PythonWith(tb, "siaga112_no_such_module") }, true, "python3-siaga112_no_such_module"},
		{"another value is not CI", "yes", func(tb testing.TB) { Missing(tb, "the data") }, false, "the data"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(RequireAll, tt.requireAll)
			r := &recorder{TB: t}
			tt.call(r)
			got := r.skipped
			if tt.failed {
				got = r.failed
			}
			if (r.failed != "") != tt.failed || (r.skipped != "") == tt.failed || !strings.Contains(got, tt.says) {
				t.Fatalf("failed %q, skipped %q; want failed=%v saying %q", r.failed, r.skipped, tt.failed, tt.says)
			}
		})
	}
	t.Run("present: neither", func(t *testing.T) {
		t.Setenv(RequireAll, "1")
		t.Setenv("SIAGA112_SOME_URL", "tcp://127.0.0.1:1")
		r := &recorder{TB: t}
		if v := Env(r, "SIAGA112_SOME_URL", "x"); v != "tcp://127.0.0.1:1" || r.failed != "" || r.skipped != "" {
			t.Fatalf("%q %+v", v, r)
		}
	})
}
