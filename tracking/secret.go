package tracking

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"

	"golang.org/x/crypto/bcrypt"
)

// PasswordCost is the bcrypt cost of people's passwords: about 50 ms a
// check on this class of machine, paid once per sign-in.
const PasswordCost = 10

// HashPassword hashes a person's password with bcrypt.
func HashPassword(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), PasswordCost)
	return string(h), err
}

// PasswordMatches reports whether password matches a bcrypt hash.
func PasswordMatches(hash, password string) bool {
	return hash != "" && bcrypt.CompareHashAndPassword([]byte(hash), []byte(password)) == nil
}

// NewSecret returns a random machine secret (a device's MQTT password) and
// the hash to keep. The secret has 192 random bits, so a fast SHA-256 is
// as safe as bcrypt here and keeps registering thousands of units quick;
// only people's passwords, which can be guessed, need bcrypt.
func NewSecret() (secret, hash string, err error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", "", err
	}
	secret = base64.RawURLEncoding.EncodeToString(b)
	return secret, secretHash(secret), nil
}

func secretHash(secret string) string {
	h := sha256.Sum256([]byte(secret))
	return "sha256:" + hex.EncodeToString(h[:])
}

// SecretMatches reports whether secret is the one behind hash.
func SecretMatches(hash, secret string) bool {
	return hash != "" && subtle.ConstantTimeCompare([]byte(hash), []byte(secretHash(secret))) == 1
}
