package trackingtest

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// RequireAll names the variable that turns every skip for something
// missing into a failure: .ci/run sets it to 1, because there everything
// must run and a green run must mean every test ran.
const RequireAll = "SIAGA112_REQUIRE_ALL"

// Python is the interpreter the independent checks run: Debian's, with
// Debian's shapely and networkx (a virtualenv's would hide what CI has).
const Python = "/usr/bin/python3"

// Missing ends tb for want of something outside the code (a service, the
// ../shared data, a tool): it skips saying what is missing and how to get
// it, or fails with the same sentence when SIAGA112_REQUIRE_ALL=1.
func Missing(tb testing.TB, format string, args ...any) {
	tb.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv(RequireAll) == "1" {
		tb.Fatalf("%s (%s=1: nothing may be skipped)", msg, RequireAll)
		return
	}
	tb.Skip(msg)
}

// Env returns the environment variable name, a service's address; unset,
// it ends tb by Missing, saying what the value is for.
func Env(tb testing.TB, name, what string) string {
	tb.Helper()
	v := os.Getenv(name)
	if v == "" {
		Missing(tb, "%s is not set (%s)", name, what)
	}
	return v
}

// Tool returns the path of the command name, or ends tb by Missing naming
// the Debian package that installs it.
func Tool(tb testing.TB, name, pkg string) string {
	tb.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(tb, "%s is not installed (Debian package %s)", name, pkg)
	}
	return p
}

// PythonWith returns Python when it imports every module (Debian packages
// python3-<module>), or ends tb by Missing naming them.
func PythonWith(tb testing.TB, modules ...string) string {
	tb.Helper()
	if _, err := os.Stat(Python); err != nil {
		Missing(tb, "no %s (Debian's python3, with python3-%s)", Python, strings.Join(modules, ", python3-"))
		return ""
	}
	if out, err := exec.Command(Python, "-c", "import "+strings.Join(modules, ", ")).CombinedOutput(); err != nil {
		Missing(tb, "%s cannot import %s (Debian package python3-%s): %v %s", Python, strings.Join(modules, ", "),
			strings.Join(modules, ", python3-"), err, strings.TrimSpace(string(out)))
	}
	return Python
}
