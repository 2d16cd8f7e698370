package web

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"io/fs"
	"net/http"
	"time"
)

// startedAt stands for the modification time of everything built into the
// binary (embedded files carry none): what the server serves from memory
// cannot have changed since it started.
var startedAt = time.Now().UTC().Truncate(time.Second)

// etagOf is a weak validator of b's content: weak, because the same
// content goes out gzipped or plain under one tag.
func etagOf(b []byte) string {
	h := sha256.Sum256(b)
	return `W/"` + base64.RawURLEncoding.EncodeToString(h[:12]) + `"`
}

// fileTags hashes every embedded file once.
func fileTags(fsys fs.FS) (map[string]string, error) {
	tags := map[string]string{}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		tags[p] = etagOf(b)
		return nil
	})
	return tags, err
}

// stampedFS gives embedded files a modification time, so the file server
// sends Last-Modified and answers If-Modified-Since.
type stampedFS struct {
	fs.FS
	mod time.Time
}

func (s stampedFS) Open(name string) (fs.File, error) {
	f, err := s.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return stampedFile{f, s.mod}, nil
}

type stampedFile struct {
	fs.File
	mod time.Time
}

func (f stampedFile) Stat() (fs.FileInfo, error) {
	fi, err := f.File.Stat()
	if err != nil {
		return nil, err
	}
	return stampedInfo{fi, f.mod}, nil
}

// Read, Seek and ReadDir reach the embedded file's own methods.
func (f stampedFile) Seek(off int64, whence int) (int64, error) {
	return f.File.(interface {
		Seek(int64, int) (int64, error)
	}).Seek(off, whence)
}

func (f stampedFile) ReadDir(n int) ([]fs.DirEntry, error) {
	if d, ok := f.File.(fs.ReadDirFile); ok {
		return d.ReadDir(n)
	}
	return nil, fs.ErrInvalid
}

type stampedInfo struct {
	fs.FileInfo
	mod time.Time
}

func (i stampedInfo) ModTime() time.Time { return i.mod }

// cachedDoc is an answer built once (areas, the OpenAPI description),
// served with a validator so clients revalidate for free.
type cachedDoc struct {
	body  []byte
	etag  string
	ctype []string
}

func newCachedDoc(ctype []string, body []byte) *cachedDoc {
	return &cachedDoc{body: body, etag: etagOf(body), ctype: ctype}
}

func (d *cachedDoc) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["Content-Type"] = d.ctype
	h["Etag"] = []string{d.etag}
	h.Set("Cache-Control", "no-cache")
	http.ServeContent(w, r, "", startedAt, bytes.NewReader(d.body))
}
