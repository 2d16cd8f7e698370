package basemap

import (
	"bytes"
	"context"
	"os"
	"testing"
	"time"
)

// FuzzRead: an extract is a file the operator names, perhaps the wrong
// one or a truncated download; whatever its bytes, reading it ends in a
// map or an error, never a crash or a hang.
func FuzzRead(f *testing.F) {
	town, err := os.ReadFile(townPBF)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(town)
	plain, err := os.ReadFile("testdata/plain-nodes.osm.pbf")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain) // osmpbf panics on plain nodes in its own goroutines
	f.Add(town[:len(town)/2])
	f.Add([]byte("not a pbf"))
	f.Add([]byte{0, 0, 0, 13, 10, 9, 79, 83, 77, 72, 101, 97, 100, 101, 114})
	f.Fuzz(func(t *testing.T, data []byte) {
		type result struct {
			m   *Map
			err error
		}
		done := make(chan result, 1)
		go func() {
			m, err := Read(context.Background(), bytes.NewReader(data), Options{Keep: serangBox})
			done <- result{m, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("reading hangs")
		}
		m, err := r.m, r.err
		if err == nil {
			if _, err := m.Tile(16, 52100, 33900); err != nil {
				t.Fatal(err)
			}
		}
	})
}
