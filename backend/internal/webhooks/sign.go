package webhooks

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
)

// SecretPrefix starts every endpoint secret.
const SecretPrefix = "whsec_"

// NewSecret returns a fresh endpoint secret: whsec_ and the base64 of 24 random bytes.
func NewSecret() string {
	var b [24]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails (Go 1.24+)
	return SecretPrefix + base64.StdEncoding.EncodeToString(b[:])
}

// secretKey decodes the HMAC key of a secret: the base64 after the whsec_ prefix.
func secretKey(secret string) ([]byte, error) {
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, SecretPrefix))
	if err != nil || len(key) == 0 {
		return nil, errors.New("webhooks: malformed secret")
	}
	return key, nil
}

// Sign returns the Standard Webhooks signature of a message, "v1,<base64 HMAC-SHA256
// of id.timestamp.body>", or, given several secrets, their signatures separated by spaces.
func Sign(id string, timestamp int64, body []byte, secrets ...string) (string, error) {
	var out []string
	for _, s := range secrets {
		key, err := secretKey(s)
		if err != nil {
			return "", err
		}
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(id))
		mac.Write([]byte{'.'})
		mac.Write(strconv.AppendInt(nil, timestamp, 10))
		mac.Write([]byte{'.'})
		mac.Write(body)
		out = append(out, "v1,"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
	}
	return strings.Join(out, " "), nil
}

// Verify reports whether header (a webhook-signature value) holds a valid signature of
// the message under secret, as a receiver checks it.
func Verify(secret, id string, timestamp int64, body []byte, header string) bool {
	want, err := Sign(id, timestamp, body, secret)
	if err != nil {
		return false
	}
	for _, sig := range strings.Fields(header) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}
