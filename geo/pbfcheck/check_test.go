package pbfcheck

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"os"
	"strings"
	"testing"

	"github.com/paulmach/osm/osmpbf"
)

// town is a valid extract made by osmium (dense nodes, zlib).
func town(t testing.TB) []byte {
	b, err := os.ReadFile("../roads/testdata/town.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// varint and field build protobuf by hand for the damaged blocks below.
func varint(v uint64) []byte { return binary.AppendUvarint(nil, v) }

func field(n int, payload []byte) []byte {
	out := varint(uint64(n)<<3 | 2)
	out = append(out, varint(uint64(len(payload)))...)
	return append(out, payload...)
}

func intField(n int, v uint64) []byte { return append(varint(uint64(n)<<3), varint(v)...) }

func packed(vals ...uint64) []byte {
	var b []byte
	for _, v := range vals {
		b = append(b, varint(v)...)
	}
	return b
}

// file frames blocks: the town's header block, then one OSMData block
// holding block (inflated), zlib-compressed as writers do.
func file(t testing.TB, block []byte) []byte {
	head := town(t)
	hl := binary.BigEndian.Uint32(head)
	_, ds, err := blobHeader(head[4 : 4+hl])
	if err != nil {
		t.Fatal(err)
	}
	out := append([]byte(nil), head[:4+int(hl)+int(ds)]...)
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(block)
	w.Close()
	blob := append(intField(2, uint64(len(block))), field(3, z.Bytes())...)
	header := append(field(1, []byte("OSMData")), intField(3, uint64(len(blob)))...)
	out = binary.BigEndian.AppendUint32(out, uint32(len(header)))
	out = append(out, header...)
	return append(out, blob...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func strings2(s ...string) []byte {
	var st []byte
	for _, x := range s {
		st = append(st, field(1, []byte(x))...)
	}
	return field(1, st)
}

func TestCheck(t *testing.T) {
	plain, err := os.ReadFile("testdata/plain-nodes.osm.pbf")
	if err != nil {
		t.Fatal(err)
	}
	good := town(t)
	// one is a file whose data block has a string table of 3 and one
	// group holding one element (field n: 2 dense, 3 way, 4 relation).
	one := func(n int, msg []byte) []byte {
		return file(t, cat(strings2("", "highway", "primary"), field(2, field(n, msg))))
	}
	tests := []struct {
		name string
		in   []byte
		want string // "" passes
	}{
		{"osmium's dense extract", good, ""},
		{"a block of dense nodes with tags in range", one(2, cat(field(1, packed(2)), field(8, packed(2)), field(9, packed(2)), field(10, packed(1, 2, 0)))), ""},
		{"plain nodes", plain, "non-dense"},
		{"empty", nil, "empty"},
		{"truncated", good[:len(good)-10], "truncated"},
		{"no header block first", one(2, nil)[4+int(binary.BigEndian.Uint32(good))+headerData(t, good):], "OSMHeader"},
		{"a node tag past the string table", one(2, field(10, packed(7, 1, 0))), "string 7 of a table of 3"},
		{"a way tag past the string table", one(3, cat(intField(1, 1), field(2, packed(9)))), "a way's tag names string 9"},
		{"a way user past the string table", one(3, field(4, intField(5, 5))), "a user names string 5"},
		{"a way with more coordinates than nodes", one(3, cat(field(8, packed(2)), field(9, packed(2, 2)))), "differ in length"},
		{"a way with its nodes given twice", one(3, cat(field(8, packed(2)), field(8, packed(2, 2)))), "given twice"},
		{"a relation with more roles than types", one(4, cat(field(8, packed(1, 1)), field(9, packed(2, 2)), field(10, packed(1)))), "differ in length"},
		{"a role past the string table", one(4, field(8, packed(4))), "role names string 4"},
		{"a dense user past the string table", one(2, field(5, field(5, packed(2, 4)))), "user names string 3"},
		{"a header of 1 MB", []byte{0, 0x10, 0, 0}, "64 KiB"},
		{"text", []byte("<?xml version='1.0'?><osm></osm>"), "64 KiB"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckReader(bytes.NewReader(tt.in))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.want != "" && err == nil:
				t.Fatalf("passed; want a refusal with %q", tt.want)
			case tt.want != "" && !strings.Contains(err.Error(), tt.want):
				t.Fatalf("error %q does not say %q", err, tt.want)
			}
		})
	}
}

// headerData is the size of the first block's data after its header.
func headerData(t testing.TB, b []byte) int {
	hl := binary.BigEndian.Uint32(b)
	_, ds, err := blobHeader(b[4 : 4+hl])
	if err != nil {
		t.Fatal(err)
	}
	return int(ds)
}

func TestInflateBomb(t *testing.T) {
	var z bytes.Buffer
	w := zlib.NewWriter(&z)
	w.Write(make([]byte, 40<<20))
	w.Close()
	// It says 1 KiB and inflates to 40 MiB: refused after reading 1 KiB + 1.
	blob := append(intField(2, 1024), field(3, z.Bytes())...)
	if _, err := inflate(blob, nil); err == nil || !strings.Contains(err.Error(), "inflates to 1025 bytes but says 1024") {
		t.Fatalf("got %v", err)
	}
	big := append(intField(2, 40<<20), field(3, z.Bytes())...)
	if _, err := inflate(big, nil); err == nil || !strings.Contains(err.Error(), "at most 32 MiB") {
		t.Fatalf("got %v", err)
	}
}

// FuzzCheck: whatever passes Check, osmpbf reads to its end without a
// panic (a panic in its decoder goroutines kills the fuzzing process,
// which the fuzzer reports as a failure).
func FuzzCheck(f *testing.F) {
	f.Add(town(f))
	plain, _ := os.ReadFile("testdata/plain-nodes.osm.pbf")
	f.Add(plain)
	f.Fuzz(func(t *testing.T, b []byte) {
		if CheckReader(bytes.NewReader(b)) != nil {
			return
		}
		sc := osmpbf.New(context.Background(), bytes.NewReader(b), 1)
		defer sc.Close()
		for sc.Scan() {
		}
	})
}

func BenchmarkCheck(b *testing.B) {
	in := town(b)
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		if err := CheckReader(bytes.NewReader(in)); err != nil {
			b.Fatal(err)
		}
	}
}
