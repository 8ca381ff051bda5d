// Package tokens is how a tenant's own users reach Forma: JSON Web Tokens verified with
// the tenant's settings (a shared HS256 secret, a public key, or a JWKS URL), acting as
// one of the tenant's roles with their claims as $auth variables. Signatures and key
// sets are go-jose's; nothing here is cryptography of its own.
package tokens

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"net/url"
	"slices"
	"strconv"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/auth"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
)

// The algorithms a tenant may configure.
const (
	HS256 = "HS256"
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// Algorithms lists the algorithms of the settings, the shared secret's first.
var Algorithms = []string{HS256, RS256, ES256, EdDSA}

// Bounds of the settings.
const (
	MinSecretBytes = 32 // an HS256 secret shorter than SHA-256's output is guessable
	MaxSecretBytes = 4096
	MaxPublicKey   = 16 << 10
	MaxText        = 1000 // issuer, audience, jwks_url
	MaxRoleClaim   = 200
	MinRSABits     = 2048
	// DefaultRoleClaim is the claim a token's role is read from unless role_claim says.
	DefaultRoleClaim = "role"
)

// Settings is how a tenant's tokens are verified, as stored and shown; the secret of
// HS256 is kept apart and never shown.
type Settings struct {
	Algorithm    string   `json:"algorithm,omitempty"`
	PublicKey    string   `json:"public_key,omitempty"`
	JWKSURL      string   `json:"jwks_url,omitempty"`
	Issuer       string   `json:"issuer,omitempty"`
	Audience     string   `json:"audience,omitempty"`
	RoleClaim    string   `json:"role_claim"`
	DefaultRole  string   `json:"default_role,omitempty"`
	AllowedRoles []string `json:"allowed_roles"`
}

// Input is the "jwt" member of PUT /t/{tenant}/auth: Settings with the secret. An HS256
// input without a secret keeps the one stored.
type Input struct {
	Algorithm    string   `json:"algorithm"`
	Secret       string   `json:"secret"`
	PublicKey    string   `json:"public_key"`
	JWKSURL      string   `json:"jwks_url"`
	Issuer       string   `json:"issuer"`
	Audience     string   `json:"audience"`
	RoleClaim    string   `json:"role_claim"`
	DefaultRole  string   `json:"default_role"`
	AllowedRoles []string `json:"allowed_roles"`
}

// check validates in (its problems under "jwt.") and returns the settings and the secret
// to store; kept is the secret stored now, if any. It does not fetch the JWKS URL.
func check(in Input, kept []byte) (Settings, []byte, problem.List) {
	var probs problem.List
	add := func(path, code string, params map[string]any) { probs.Add("jwt."+path, code, params) }
	reason := func(path, why string) { add(path, problem.InvalidValue, map[string]any{"reason": why}) }
	s := Settings{Algorithm: in.Algorithm, PublicKey: in.PublicKey, JWKSURL: in.JWKSURL,
		Issuer: in.Issuer, Audience: in.Audience, RoleClaim: in.RoleClaim, DefaultRole: in.DefaultRole,
		AllowedRoles: in.AllowedRoles}
	if s.RoleClaim == "" {
		s.RoleClaim = DefaultRoleClaim
	}
	if s.AllowedRoles == nil {
		s.AllowedRoles = []string{}
	}
	var secret []byte
	switch {
	case s.JWKSURL != "":
		if s.Algorithm != "" && (s.Algorithm == HS256 || !slices.Contains(Algorithms, s.Algorithm)) {
			add("algorithm", problem.Choice, map[string]any{"choices": Algorithms[1:]})
		}
		checkURL(&probs, s.JWKSURL)
		if in.Secret != "" {
			reason("secret", "a secret is used only with HS256, not with jwks_url")
		}
		if s.PublicKey != "" {
			reason("public_key", "give either public_key or jwks_url, not both")
		}
	case s.Algorithm == "":
		add("algorithm", problem.Required, nil)
	case !slices.Contains(Algorithms, s.Algorithm):
		add("algorithm", problem.Choice, map[string]any{"choices": Algorithms})
	case s.Algorithm == HS256:
		switch {
		case in.Secret == "" && kept != nil:
			secret = kept
		case in.Secret == "":
			add("secret", problem.Required, nil)
		case len(in.Secret) < MinSecretBytes:
			reason("secret", "an HS256 secret must be at least 32 bytes")
		case len(in.Secret) > MaxSecretBytes:
			add("secret", problem.TooLong, map[string]any{"max": MaxSecretBytes})
		default:
			secret = []byte(in.Secret)
		}
		if s.PublicKey != "" {
			reason("public_key", "HS256 verifies with a secret, not a public key")
		}
	default:
		if in.Secret != "" {
			reason("secret", "a secret is used only with HS256")
		}
		if s.PublicKey == "" {
			add("public_key", problem.Required, nil)
		} else if _, why := parsePublicKey(s.Algorithm, s.PublicKey); why != "" {
			reason("public_key", why)
		}
	}
	for path, v := range map[string]string{"issuer": s.Issuer, "audience": s.Audience} {
		if len(v) > MaxText {
			add(path, problem.TooLong, map[string]any{"max": MaxText})
		} else {
			auth.CheckText(&probs, "jwt."+path, v)
		}
	}
	if len(s.RoleClaim) > MaxRoleClaim {
		add("role_claim", problem.TooLong, map[string]any{"max": MaxRoleClaim})
	} else {
		auth.CheckText(&probs, "jwt.role_claim", s.RoleClaim)
	}
	builtIn := make([]string, len(auth.Roles))
	for i, r := range auth.Roles {
		builtIn[i] = string(r)
	}
	for i, r := range s.AllowedRoles {
		path := "allowed_roles[" + strconv.Itoa(i) + "]"
		if !auth.Role(r).BuiltIn() {
			add(path, problem.Choice, map[string]any{"choices": builtIn})
		} else if slices.Index(s.AllowedRoles, r) < i {
			add(path, problem.Duplicate, map[string]any{"name": r})
		}
	}
	switch r := s.DefaultRole; {
	case r == "":
	case auth.Role(r).BuiltIn() && !slices.Contains(s.AllowedRoles, r):
		reason("default_role", "a built-in role must be named in allowed_roles to be a token's role")
	case !auth.Role(r).BuiltIn():
		probs.Append("jwt.default_role", access.CheckName(r))
	}
	slices.SortFunc(probs, func(a, b problem.Problem) int { return strings.Compare(a.Path, b.Path) })
	return s, secret, probs
}

// checkURL adds a problem unless u is an absolute https URL without credentials.
func checkURL(probs *problem.List, u string) {
	if len(u) > MaxText {
		probs.Add("jwt.jwks_url", problem.TooLong, map[string]any{"max": MaxText})
		return
	}
	p, err := url.Parse(u)
	if err != nil || p.Scheme != "https" || p.Host == "" || p.User != nil || p.Fragment != "" {
		probs.Add("jwt.jwks_url", problem.InvalidFormat, map[string]any{"format": "https URL without credentials"})
	}
}

// parsePublicKey reads a PEM public key (PKIX, PKCS #1 or a certificate's) fit for alg,
// or says why it cannot; the reason never quotes the key.
func parsePublicKey(alg, text string) (any, string) {
	if len(text) > MaxPublicKey {
		return nil, "is longer than 16 KiB"
	}
	block, _ := pem.Decode([]byte(text))
	if block == nil {
		return nil, "is not a PEM block (-----BEGIN PUBLIC KEY-----)"
	}
	var key any
	var err error
	switch block.Type {
	case "PUBLIC KEY":
		key, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		key, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		if cert, err = x509.ParseCertificate(block.Bytes); err == nil {
			key = cert.PublicKey
		}
	default:
		if strings.Contains(block.Type, "PRIVATE") {
			return nil, "is a private key; give its public key, which is all Forma needs"
		}
		return nil, "is a " + block.Type + " block, not a public key"
	}
	if err != nil {
		return nil, "does not parse as a public key"
	}
	if why := fits(alg, key); why != "" {
		return nil, why
	}
	return key, ""
}

// fits says why key cannot verify alg, or "".
func fits(alg string, key any) string {
	switch k := key.(type) {
	case *rsa.PublicKey:
		if alg != RS256 {
			return "is an RSA key, which verifies RS256, not " + alg
		}
		if k.N.BitLen() < MinRSABits {
			return "is an RSA key shorter than 2048 bits"
		}
	case *ecdsa.PublicKey:
		if alg != ES256 || k.Curve != elliptic.P256() {
			return "is an EC key, which verifies ES256 on curve P-256 only, not " + alg
		}
	case ed25519.PublicKey:
		if alg != EdDSA {
			return "is an Ed25519 key, which verifies EdDSA, not " + alg
		}
	default:
		return "is of a kind of key Forma does not verify with"
	}
	return ""
}

// keyAlgorithm is the one algorithm a key set's public key verifies: its own "alg"
// when the set names one, else the one its kind of key implies; "" when none.
func keyAlgorithm(k jose.JSONWebKey) string {
	alg := k.Algorithm
	if alg == "" {
		switch k.Key.(type) {
		case *rsa.PublicKey:
			alg = RS256
		case *ecdsa.PublicKey:
			alg = ES256
		case ed25519.PublicKey:
			alg = EdDSA
		}
	}
	if alg == HS256 || !slices.Contains(Algorithms, alg) || fits(alg, k.Key) != "" {
		return ""
	}
	return alg
}
