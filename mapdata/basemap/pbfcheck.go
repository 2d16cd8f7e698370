package basemap

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"

	"google.golang.org/protobuf/encoding/protowire"
)

// PBF framing limits (the format's own): a blob header under 64 KiB, a
// blob and its uncompressed data at most 32 MiB.
const (
	maxHeaderSize = 64 << 10
	maxBlobSize   = 32 << 20
)

// checkBlobs walks the PBF's frames before the decoder sees them, hashing
// the bytes: a truncated or corrupt file is refused with the offset where
// it breaks, and no size in it (a negative one, or gigabytes) reaches the
// decoder, which would crash or allocate it.
func checkBlobs(r io.Reader, h hash.Hash) error {
	r = io.TeeReader(r, h)
	var size [4]byte
	buf := make([]byte, 0, 1<<16)
	var at int64
	for n := 0; ; n++ {
		if _, err := io.ReadFull(r, size[:]); err != nil {
			if err == io.EOF && n > 0 {
				return nil
			}
			return broken(at, "the file ends where a block should start")
		}
		hs := binary.BigEndian.Uint32(size[:])
		if hs == 0 || hs >= maxHeaderSize {
			return broken(at, "a block header of %d bytes", hs)
		}
		buf = buf[:hs]
		if _, err := io.ReadFull(r, buf); err != nil {
			return broken(at, "the file ends inside a block header")
		}
		typ, datasize, err := blobHeader(buf)
		if err != nil {
			return broken(at, "%v", err)
		}
		if n == 0 && typ != "OSMHeader" {
			return broken(at, "the first block is %q, not OSMHeader", typ)
		}
		if datasize <= 0 || datasize > maxBlobSize {
			return broken(at, "a block of %d bytes", datasize)
		}
		if cap(buf) < int(datasize) {
			buf = make([]byte, 0, datasize)
		}
		buf = buf[:datasize]
		if _, err := io.ReadFull(r, buf); err != nil {
			return broken(at, "the file ends inside a block")
		}
		if err := blobSizes(buf); err != nil {
			return broken(at, "%v", err)
		}
		at += 4 + int64(hs) + datasize
	}
}

func broken(at int64, format string, args ...any) error {
	return fmt.Errorf("not a readable OpenStreetMap PBF extract: at byte %d, %s", at, fmt.Sprintf(format, args...))
}

// blobHeader reads BlobHeader's type (1) and datasize (3).
func blobHeader(b []byte) (typ string, datasize int64, err error) {
	datasize = -1
	for len(b) > 0 {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			return "", 0, errors.New("a malformed block header")
		}
		b = b[n:]
		switch {
		case num == 1 && wt == protowire.BytesType:
			v, n := protowire.ConsumeBytes(b)
			if n < 0 {
				return "", 0, errors.New("a malformed block type")
			}
			typ, b = string(v), b[n:]
			continue
		case num == 3 && wt == protowire.VarintType:
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return "", 0, errors.New("a malformed block size")
			}
			datasize, b = int64(int32(v)), b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, wt, b)
		if n < 0 {
			return "", 0, errors.New("a malformed block header")
		}
		b = b[n:]
	}
	return typ, datasize, nil
}

// blobSizes checks Blob's raw_size (2): what the decoder allocates to
// inflate into.
func blobSizes(b []byte) error {
	for len(b) > 0 {
		num, wt, n := protowire.ConsumeTag(b)
		if n < 0 {
			return errors.New("a malformed block")
		}
		b = b[n:]
		if num == 2 && wt == protowire.VarintType {
			v, n := protowire.ConsumeVarint(b)
			if n < 0 {
				return errors.New("a malformed block")
			}
			if rs := int64(int32(v)); rs < 0 || rs > maxBlobSize {
				return fmt.Errorf("a block that inflates to %d bytes", rs)
			}
			b = b[n:]
			continue
		}
		n = protowire.ConsumeFieldValue(num, wt, b)
		if n < 0 {
			return errors.New("a malformed block")
		}
		b = b[n:]
	}
	return nil
}
