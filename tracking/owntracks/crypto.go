package owntracks

import (
	"encoding/base64"
	"io"
	"strings"

	"golang.org/x/crypto/nacl/secretbox"
)

// The OwnTracks apps encrypt with libsodium's crypto_secretbox_easy
// (XSalsa20-Poly1305). The key is the passphrase's bytes, zero-padded to 32
// (the apps take at most 32); "data" is base64 of the 24-byte random nonce
// followed by the sealed box (16-byte tag, then the JSON).
const (
	keySize   = 32
	nonceSize = 24
)

// Key derives the secretbox key from a passphrase as the apps do. A
// passphrase longer than 32 bytes is cut to 32.
func Key(passphrase []byte) *[keySize]byte {
	var k [keySize]byte
	copy(k[:], passphrase)
	return &k
}

// Decrypt opens an encrypted envelope's "data" with the passphrase.
func Decrypt(data string, passphrase []byte) ([]byte, error) {
	// Some base64 encoders wrap lines; the apps' do not, but a stray
	// newline must not lose a fix.
	data = strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' {
			return -1
		}
		return r
	}, data)
	raw, err := base64.StdEncoding.DecodeString(data)
	if err != nil {
		if raw, err = base64.RawStdEncoding.DecodeString(data); err != nil {
			return nil, refuse(ReasonDecrypt, "\"data\" is not base64")
		}
	}
	if len(raw) < nonceSize+secretbox.Overhead {
		return nil, refuse(ReasonDecrypt, "\"data\" is too short to be a secretbox")
	}
	var nonce [nonceSize]byte
	copy(nonce[:], raw[:nonceSize])
	plain, ok := secretbox.Open(nil, raw[nonceSize:], &nonce, Key(passphrase))
	if !ok {
		return nil, refuse(ReasonDecrypt, "the payload does not open with the unit's OwnTracks secret")
	}
	return plain, nil
}

// Encrypt seals a payload as the apps do and returns the envelope JSON. It
// is for tests and tools that play an app; rand supplies the nonce
// (crypto/rand.Reader).
func Encrypt(plain, passphrase []byte, rand io.Reader) ([]byte, error) {
	var nonce [nonceSize]byte
	if _, err := io.ReadFull(rand, nonce[:]); err != nil {
		return nil, err
	}
	box := secretbox.Seal(nonce[:], plain, &nonce, Key(passphrase))
	return []byte(`{"_type":"encrypted","data":"` + base64.StdEncoding.EncodeToString(box) + `"}`), nil
}
