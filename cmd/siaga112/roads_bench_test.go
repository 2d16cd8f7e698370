package main

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"siaga112/geo/roads/roadstest"
)

// BenchmarkStartupOSM: from process start until /healthz answers 200, and
// the process's resident memory then, with the generated grid extract
// (~25,600 nodes, ~95,000 directed edges) and without --osm.
func BenchmarkStartupOSM(b *testing.B) {
	pbf, _ := roadstest.Grid(b)
	for _, osm := range []bool{true, false} {
		b.Run(fmt.Sprintf("osm=%v", osm), func(b *testing.B) {
			var total time.Duration
			var rss float64
			n := 0
			for b.Loop() {
				http1, mqtt1 := freeAddrTB(b), freeAddrTB(b)
				args := []string{"--http", http1, "--mqtt-listen", mqtt1, "--osmand-listen", ""}
				if osm {
					args = append(args, "--osm", pbf)
				}
				cmd := exec.Command(binary(b), args...)
				cmd.Env = append(os.Environ(), "SIAGA112_ADMIN_TOKEN="+testToken)
				start := time.Now()
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				for {
					resp, err := http.Get("http://" + http1 + "/healthz")
					if err == nil {
						resp.Body.Close()
						if resp.StatusCode == 200 {
							break
						}
					}
					if time.Since(start) > 30*time.Second {
						cmd.Process.Kill()
						b.Fatal("no /healthz within 30 s")
					}
					time.Sleep(5 * time.Millisecond)
				}
				total += time.Since(start)
				rss += residentMiB(b, cmd.Process.Pid)
				n++
				cmd.Process.Kill()
				cmd.Wait()
			}
			b.ReportMetric(float64(total.Milliseconds())/float64(n), "startup-ms")
			b.ReportMetric(rss/float64(n), "rss-MiB")
		})
	}
}

func freeAddrTB(b *testing.B) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// residentMiB is a process's VmRSS.
func residentMiB(b *testing.B, pid int) float64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Skip("no /proc: memory not measured")
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			return float64(kb) / 1024
		}
	}
	return 0
}
