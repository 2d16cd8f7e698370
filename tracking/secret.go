package tracking

import (
	"crypto/rand"
	"encoding/base64"

	"golang.org/x/crypto/bcrypt"
)

// SecretCost is the bcrypt cost of stored secrets: about 50 ms a check on
// this class of machine, paid once per login or device connection.
const SecretCost = 10

// NewSecret returns a random secret (for a device or a token) and its
// bcrypt hash. Only the hash is kept; the secret is shown once.
func NewSecret() (secret, hash string, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	h, err := HashSecret(secret)
	return secret, h, err
}

// HashSecret hashes a password or secret with bcrypt.
func HashSecret(secret string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(secret), SecretCost)
	return string(h), err
}

// SecretMatches reports whether secret matches a bcrypt hash.
func SecretMatches(hash, secret string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(secret)) == nil
}
