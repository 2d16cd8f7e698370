package interop

import (
	"syscall"
	"testing"
	"time"
)

// cpuPerOp reports, beside ns/op (wall time, which a busy shared machine
// inflates), the process's CPU time per operation (user + system, GC
// included) as cpu-ns/op. Call it first in a benchmark.
func cpuPerOp(b *testing.B) {
	start := cpuTime()
	b.Cleanup(func() {
		if b.N > 0 {
			b.ReportMetric(float64((cpuTime()-start).Nanoseconds())/float64(b.N), "cpu-ns/op")
		}
	})
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
