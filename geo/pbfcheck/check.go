// Package pbfcheck walks an OpenStreetMap PBF file once and refuses what
// would crash or exhaust the reader the project uses (paulmach/osm v0.8.0's
// osmpbf decodes blocks in goroutines of its own, where a panic cannot be
// recovered): plain (non-dense) nodes, string-table indices out of range,
// parallel arrays of unequal length, blobs that inflate past the format's
// 32 MiB or to another size than they declare. A file that passes is safe
// to hand to osmpbf; one that fails is named with the reason, never a
// panic. It reads the whole file (one inflate of every block): milliseconds
// for a city extract, seconds for a province.
package pbfcheck

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/paulmach/protoscan"
)

// The format's limits (OSM wiki, "PBF Format"): a blob header under 64 KiB,
// a blob, compressed or not, at most 32 MiB.
const (
	maxHeader = 64 << 10
	maxBlob   = 32 << 20
)

// Check reads the PBF at path and returns nil when every block is one the
// reader can decode, else an error saying what is wrong and where.
func Check(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return CheckReader(f)
}

// CheckReader is Check on a stream.
func CheckReader(r io.Reader) error {
	var size [4]byte
	header := make([]byte, maxHeader)
	var blob, raw []byte
	for n := 0; ; n++ {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			if err == io.EOF && n > 0 {
				return nil
			}
			if err == io.EOF {
				return errors.New("the file is empty")
			}
			return fmt.Errorf("block %d: the file ends inside a block header (truncated)", n)
		}
		hl := binary.BigEndian.Uint32(size[:])
		if hl >= maxHeader {
			return fmt.Errorf("block %d: a block header of %d bytes (at most 64 KiB): not a PBF, or damaged", n, hl)
		}
		if _, err := io.ReadFull(r, header[:hl]); err != nil {
			return fmt.Errorf("block %d: the file ends inside a block header (truncated)", n)
		}
		typ, datasize, err := blobHeader(header[:hl])
		if err != nil {
			return fmt.Errorf("block %d: %w", n, err)
		}
		if datasize < 0 || datasize >= maxBlob {
			return fmt.Errorf("block %d: a block of %d bytes (at most 32 MiB)", n, datasize)
		}
		if cap(blob) < int(datasize) {
			blob = make([]byte, datasize)
		}
		blob = blob[:datasize]
		if _, err := io.ReadFull(r, blob); err != nil {
			return fmt.Errorf("block %d: the file ends inside a block (truncated)", n)
		}
		if raw, err = inflate(blob, raw); err != nil {
			return fmt.Errorf("block %d: %w", n, err)
		}
		switch {
		case typ == "OSMHeader" && n == 0:
		case typ == "OSMHeader":
			return fmt.Errorf("block %d: a second OSMHeader", n)
		case n == 0:
			return fmt.Errorf("the file does not start with an OSMHeader block (it starts with %q)", typ)
		case typ == "OSMData":
			if err := primitiveBlock(raw); err != nil {
				return fmt.Errorf("block %d: %w", n, err)
			}
		default:
			return fmt.Errorf("block %d: a block of unknown type %q", n, typ)
		}
	}
}

// blobHeader reads BlobHeader{1: type, 3: datasize}.
func blobHeader(b []byte) (typ string, datasize int32, err error) {
	m := protoscan.New(b)
	found := false
	for m.Next() {
		switch m.FieldNumber() {
		case 1:
			typ, err = m.String()
		case 3:
			datasize, err = m.Int32()
			found = true
		default:
			m.Skip()
		}
		if err != nil {
			return "", 0, fmt.Errorf("a damaged block header: %w", err)
		}
	}
	if m.Err() != nil {
		return "", 0, fmt.Errorf("a damaged block header: %w", m.Err())
	}
	if !found {
		return "", 0, errors.New("a block header without its size")
	}
	return typ, datasize, nil
}

// inflate returns the block's content from Blob{1: raw, 2: raw_size,
// 3: zlib_data}, reusing buf.
func inflate(b, buf []byte) ([]byte, error) {
	m := protoscan.New(b)
	var raw, z []byte
	rawSize := int32(-1)
	var err error
	for m.Next() {
		switch m.FieldNumber() {
		case 1:
			raw, err = m.MessageData()
		case 2:
			rawSize, err = m.Int32()
		case 3:
			z, err = m.MessageData()
		case 4, 5, 6, 7:
			return nil, fmt.Errorf("a block compressed with a method the reader lacks (field %d: lzma, bzip2, lz4 or zstd): recompress with osmium cat", m.FieldNumber())
		default:
			m.Skip()
		}
		if err != nil {
			return nil, fmt.Errorf("a damaged block: %w", err)
		}
	}
	if m.Err() != nil {
		return nil, fmt.Errorf("a damaged block: %w", m.Err())
	}
	switch {
	case raw != nil:
		return raw, nil
	case z == nil:
		return nil, errors.New("a block with no data")
	case rawSize < 0 || rawSize > maxBlob:
		return nil, fmt.Errorf("a block that says it inflates to %d bytes (at most 32 MiB)", rawSize)
	}
	zr, err := zlib.NewReader(bytes.NewReader(z))
	if err != nil {
		return nil, fmt.Errorf("a block that does not inflate: %w", err)
	}
	out := bytes.NewBuffer(buf[:0])
	n, err := io.Copy(out, io.LimitReader(zr, int64(rawSize)+1))
	if err != nil {
		return nil, fmt.Errorf("a block that does not inflate: %w", err)
	}
	if n != int64(rawSize) {
		return nil, fmt.Errorf("a block that inflates to %d bytes but says %d", n, rawSize)
	}
	return out.Bytes(), nil
}
