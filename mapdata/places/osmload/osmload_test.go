package osmload

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/paulmach/orb"
)

func TestRead(t *testing.T) {
	ctx := context.Background()
	x, st, err := ReadFile(ctx, "../testdata/town.osm.pbf", orb.Bound{})
	if err != nil {
		t.Fatal(err)
	}
	if st.Nodes != 42 || st.NamedNodes != 11 || st.NamedWays != 14 || st.MissingRefs != 0 || len(x.Ways) != 14 {
		t.Errorf("everything: %+v, %d ways", st, len(x.Ways))
	}
	for _, w := range x.Ways {
		if len(w.NodeID) != len(w.Points) || len(w.Points) < 2 {
			t.Errorf("way %d: %d ids, %d points", w.ID, len(w.NodeID), len(w.Points))
		}
	}
	// A box around Sudirman's west half: nodes outside it leave their ways.
	box := orb.Bound{Min: orb.Point{106.149, -6.121}, Max: orb.Point{106.156, -6.114}}
	x, st, err = ReadFile(ctx, "../testdata/town.osm.pbf", box)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range x.Ways {
		for _, p := range w.Points {
			if !box.Contains(p) {
				t.Errorf("way %d keeps %v outside the box", w.ID, p)
			}
		}
	}
	if st.MissingRefs == 0 || st.Nodes >= 42 {
		t.Errorf("box: %+v", st)
	}
}

func TestReadRefusesGarbage(t *testing.T) {
	pbf, err := os.ReadFile("../testdata/town.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	for name, b := range map[string][]byte{
		"XML":       []byte(`<?xml version="1.0"?><osm></osm>`),
		"truncated": pbf[:len(pbf)/2],
		"zeros":     make([]byte, 4096),
	} {
		if _, _, err := Read(context.Background(), bytes.NewReader(b), orb.Bound{}); err == nil {
			t.Errorf("%s read without an error", name)
		}
	}
}
