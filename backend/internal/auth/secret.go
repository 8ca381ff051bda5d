package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// KeyPrefix starts every tenant key: fk_<lookup id>_<secret>.
const KeyPrefix = "fk_"

const (
	lookupBytes = 8  // 16 hex characters, not secret: finds the row
	secretBytes = 32 // 43 base64url characters: the secret itself
)

// Secret is a freshly generated key: the plain text (shown once) and what is stored.
type Secret struct {
	Plain    string // the whole key, e.g. fk_0123456789abcdef_<secret>
	LookupID string // the non-secret lookup id
	Hash     []byte // SHA-256 of Plain
}

// NewSecret generates a random key from crypto/rand.
func NewSecret() (Secret, error) {
	var lookup [lookupBytes]byte
	var secret [secretBytes]byte
	if _, err := rand.Read(lookup[:]); err != nil {
		return Secret{}, err
	}
	if _, err := rand.Read(secret[:]); err != nil {
		return Secret{}, err
	}
	id := hex.EncodeToString(lookup[:])
	plain := KeyPrefix + id + "_" + base64.RawURLEncoding.EncodeToString(secret[:])
	return Secret{Plain: plain, LookupID: id, Hash: Hash(plain)}, nil
}

// LookupID returns the lookup id of a presented key, or false when it is not shaped
// like a tenant key.
func LookupID(plain string) (string, bool) {
	rest, ok := strings.CutPrefix(plain, KeyPrefix)
	if !ok {
		return "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != 2*lookupBytes || len(secret) == 0 {
		return "", false
	}
	for i := 0; i < len(id); i++ {
		if c := id[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return "", false
		}
	}
	return id, true
}

// Hash is the stored form of a key: SHA-256 of its plain text.
func Hash(plain string) []byte {
	h := sha256.Sum256([]byte(plain))
	return h[:]
}

// Matches reports, in constant time, whether plain hashes to stored.
func Matches(plain string, stored []byte) bool {
	h := sha256.Sum256([]byte(plain))
	return subtle.ConstantTimeCompare(h[:], stored) == 1
}

// IsPlatformKey reports, in constant time, whether presented is the configured platform
// key; an empty configured key matches nothing.
func IsPlatformKey(presented, configured string) bool {
	if configured == "" || presented == "" {
		return false
	}
	want := sha256.Sum256([]byte(configured))
	return Matches(presented, want[:])
}
