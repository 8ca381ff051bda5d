package httpapi_test

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/tenantref"
)

// tokenSecret is the HS256 secret of the tests' tenants: 32 bytes.
const tokenSecret = "0123456789abcdef0123456789abcdef"

// noAuthLimit lifts the limit on failed authentications: these tests fail many on purpose.
func noAuthLimit(c *config.Config) { c.AuthFail.Burst = 0 }

// claims are a token's claims: sub user-1, role read, expiring in an hour, with more.
func claims(more map[string]any) map[string]any {
	c := map[string]any{"sub": "user-1", "role": "read", "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range more {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign signs claims as a compact JWT with go-jose; kid "" names no key.
func sign(t testing.TB, alg jose.SignatureAlgorithm, key any, kid string, c map[string]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader("kid", kid)
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(c)
	jws, err := signer.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// unsigned is a token with "alg": "none" and no signature.
func unsigned(c map[string]any) string {
	enc := base64.RawURLEncoding.EncodeToString
	payload, _ := json.Marshal(c)
	return enc([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + enc(payload) + "."
}

// publicPEM is pub as a PKIX PEM block.
func publicPEM(t testing.TB, pub crypto.PublicKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

func rsaKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestTokenSettingsAreCheckedAndTheSecretNeverShown(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	acme := s.Tenant(t, "acme")
	ec, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	ecPEM := publicPEM(t, &ec.PublicKey)
	der, _ := x509.MarshalPKCS8PrivateKey(ec)
	privatePEM := string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
	// A local TLS server: the SSRF guard refuses it unless FORMA_WEBHOOK_ALLOW_PRIVATE.
	local := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte(`{"keys":[]}`)) }))
	t.Cleanup(local.Close)
	const path = "/api/v1/t/acme/auth"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "tokens are off at first", Method: "GET", Path: path, Key: acme.Admin, Status: 200, Contains: []string{`{"jwt":null}`}},
		{Name: "only admin keys", Method: "PUT", Path: path, Key: acme.Write, Status: 403,
			Body: `{"jwt":{"algorithm":"HS256","secret":"` + tokenSecret + `"}}`},
		{Name: "jwt is required", Method: "PUT", Path: path, Key: acme.Admin, Body: `{}`, Status: 400,
			Contains: []string{`"path":"jwt","code":"required"`}},
		{Name: "unknown member", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"algorithm":"HS256","key":"x"}}`, Status: 400,
			Contains: []string{`"path":"key"`}},
		{Name: "every problem with its path", Method: "PUT", Path: path, Key: acme.Admin, Status: 400,
			Body: `{"jwt":{"algorithm":"HS256","secret":"short","public_key":"x","allowed_roles":["owner","read","read"],"default_role":"admin","issuer":"a\u0000b"}}`,
			Contains: []string{`"path":"jwt.secret","code":"invalid_value"`, `at least 32 bytes`,
				`"path":"jwt.public_key","code":"invalid_value"`,
				`"path":"jwt.allowed_roles[0]","code":"choice"`, `"path":"jwt.allowed_roles[2]","code":"duplicate"`,
				`"path":"jwt.default_role","code":"invalid_value"`, `"path":"jwt.issuer","code":"invalid_value"`},
			Excludes: []string{"short"}},
		{Name: "an unknown algorithm", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"algorithm":"HS512","secret":"` + tokenSecret + `"}}`,
			Status: 400, Contains: []string{`"path":"jwt.algorithm","code":"choice"`}},
		{Name: "no algorithm", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"secret":"` + tokenSecret + `"}}`,
			Status: 400, Contains: []string{`"path":"jwt.algorithm","code":"required"`}},
		{Name: "HS256 without a secret", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"algorithm":"HS256"}}`,
			Status: 400, Contains: []string{`"path":"jwt.secret","code":"required"`}},
		{Name: "a key that does not parse", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"algorithm":"RS256","public_key":"-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"}}`,
			Status: 400, Contains: []string{`"path":"jwt.public_key","code":"invalid_value"`, "does not parse"}},
		{Name: "a key of another kind than the algorithm", Method: "PUT", Path: path, Key: acme.Admin,
			Body:   `{"jwt":{"algorithm":"RS256","public_key":` + quote(ecPEM) + `}}`,
			Status: 400, Contains: []string{`"path":"jwt.public_key"`, "EC key"}},
		{Name: "a private key is refused and not echoed", Method: "PUT", Path: path, Key: acme.Admin,
			Body:   `{"jwt":{"algorithm":"ES256","public_key":` + quote(privatePEM) + `}}`,
			Status: 400, Contains: []string{`"path":"jwt.public_key"`, "private key"}, Excludes: []string{"MIG"}},
		{Name: "a public key without one", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"algorithm":"EdDSA"}}`,
			Status: 400, Contains: []string{`"path":"jwt.public_key","code":"required"`}},
		{Name: "a jwks_url that is not https", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"jwks_url":"http://example.com/jwks.json"}}`,
			Status: 400, Contains: []string{`"path":"jwt.jwks_url","code":"invalid_format"`}},
		{Name: "a jwks_url with a secret", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"jwks_url":"ftp://x","secret":"` + tokenSecret + `"}}`,
			Status: 400, Contains: []string{`"path":"jwt.jwks_url"`, `"path":"jwt.secret"`}},
		{Name: "a jwks_url the SSRF guard refuses", Method: "PUT", Path: path, Key: acme.Admin, Body: `{"jwt":{"jwks_url":"` + local.URL + `/jwks"}}`,
			Status: 400, Contains: []string{`"path":"jwt.jwks_url","code":"invalid_value"`, "not public"}},
		{Name: "HS256", Method: "PUT", Path: path, Key: acme.Admin, Status: 200,
			Body:     `{"jwt":{"algorithm":"HS256","secret":"` + tokenSecret + `","issuer":"https://id.example","allowed_roles":["read"]}}`,
			Contains: []string{`"secret_set":true`, `"role_claim":"role"`, `"issuer":"https://id.example"`}, Excludes: []string{tokenSecret}},
		{Name: "GET hides the secret", Method: "GET", Path: path, Key: acme.Admin, Status: 200,
			Contains: []string{`"algorithm":"HS256"`, `"secret_set":true`, `"allowed_roles":["read"]`}, Excludes: []string{tokenSecret, `"secret":`}},
		{Name: "a PUT without the secret keeps it", Method: "PUT", Path: path, Key: acme.Admin, Status: 200,
			Body: `{"jwt":{"algorithm":"HS256","audience":"app"}}`, Contains: []string{`"secret_set":true`, `"audience":"app"`}},
		{Name: "a public key", Method: "PUT", Path: path, Key: acme.Admin, Status: 200,
			Body: `{"jwt":{"algorithm":"ES256","public_key":` + quote(ecPEM) + `}}`, Contains: []string{`"secret_set":false`, `BEGIN PUBLIC KEY`}},
		{Name: "DELETE turns tokens off", Method: "DELETE", Path: path, Key: acme.Admin, Status: 204},
		{Name: "off again", Method: "GET", Path: path, Key: acme.Admin, Status: 200, Contains: []string{`{"jwt":null}`}},
	})
	// The secret is kept for verification only: the row holds it, no answer does.
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), "SELECT count(*) FROM forma.tenant_auth").Scan(&n); err != nil || n != 0 {
		t.Fatalf("rows after DELETE: %d %v", n, err)
	}
}

// putHS256 turns on HS256 tokens for the tenant with settings beyond the secret.
func putHS256(t testing.TB, s *apitest.Server, tn apitest.Tenant, more string) {
	t.Helper()
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/"+tn.Slug+"/auth", tn.Admin,
		`{"jwt":{"algorithm":"HS256","secret":"`+tokenSecret+`"`+more+`}}`)
}

func TestHS256TokensAreVerified(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	acme := s.Tenant(t, "acme")
	s.Tenant(t, "other")
	hs := func(c map[string]any) string { return sign(t, jose.HS256, []byte(tokenSecret), "", c) }
	now := time.Now()
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "tokens off", Method: "GET", Path: "/api/v1/t/acme", Key: hs(claims(nil)), Status: 401, Contains: []string{`"code":"tokens_not_enabled"`}},
		{Name: "a tenant that does not exist answers the same", Method: "GET", Path: "/api/v1/t/nope", Key: hs(claims(nil)), Status: 401,
			Contains: []string{`"code":"tokens_not_enabled"`}},
	})
	putHS256(t, s, acme, `,"issuer":"https://id.example","audience":"forma","allowed_roles":["read","write"]`)
	good := claims(map[string]any{"iss": "https://id.example", "aud": []string{"other", "forma"}})
	with := func(more map[string]any) map[string]any {
		c := claims(more)
		for k, v := range good {
			if _, ok := more[k]; !ok {
				c[k] = v
			}
		}
		return c
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a good token acts as its role", Method: "GET", Path: "/api/v1/t/acme", Key: hs(good), Status: 200,
			Contains: []string{`"role":"read"`, `"id":0`, `"slug":"acme"`}},
		{Name: "write may not change the schema", Method: "PUT", Path: "/api/v1/t/acme/models/post", Key: hs(with(map[string]any{"role": "write"})),
			Body: `{"name":"post","fields":[{"name":"title","type":"text"}]}`, Status: 403, Contains: []string{`"code":"forbidden"`}},
		{Name: "expired", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"exp": now.Add(-time.Minute).Unix()})), Status: 401,
			Contains: []string{`"code":"token_expired"`}, Excludes: []string{tokenSecret, "id.example"}},
		{Name: "expired within the skew", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"exp": now.Add(-10 * time.Second).Unix()})), Status: 200},
		{Name: "not yet valid", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"nbf": now.Add(time.Minute).Unix()})), Status: 401,
			Contains: []string{`"code":"token_not_yet_valid"`}},
		{Name: "no exp", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"exp": nil})), Status: 401,
			Contains: []string{`"code":"token_malformed"`, "exp"}},
		{Name: "wrongly signed", Method: "GET", Path: "/api/v1/t/acme", Key: sign(t, jose.HS256, []byte(strings.Repeat("x", 32)), "", good), Status: 401,
			Contains: []string{`"code":"token_bad_signature"`}},
		{Name: "alg none", Method: "GET", Path: "/api/v1/t/acme", Key: unsigned(good), Status: 401, Contains: []string{`"code":"token_bad_algorithm"`}},
		{Name: "wrong issuer", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"iss": "https://evil.example"})), Status: 401,
			Contains: []string{`"code":"token_wrong_issuer"`}, Excludes: []string{"id.example"}},
		{Name: "wrong audience", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"aud": "else"})), Status: 401,
			Contains: []string{`"code":"token_wrong_audience"`}},
		{Name: "admin is refused unless allowed", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"role": "admin"})), Status: 403,
			Contains: []string{`"code":"token_role_not_allowed"`}},
		{Name: "a role the tenant lacks", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"role": "viewer"})), Status: 403,
			Contains: []string{`"code":"token_role_not_allowed"`}},
		{Name: "no role and no default", Method: "GET", Path: "/api/v1/t/acme", Key: hs(with(map[string]any{"role": nil})), Status: 403,
			Contains: []string{`"code":"token_role_not_allowed"`}},
		{Name: "not a JWT", Method: "GET", Path: "/api/v1/t/acme", Key: "a.b.c", Status: 401, Contains: []string{`"code":"token_malformed"`}},
		{Name: "the token of one tenant on another", Method: "GET", Path: "/api/v1/t/other", Key: hs(good), Status: 401,
			Contains: []string{`"code":"tokens_not_enabled"`}},
		{Name: "keys still work", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200},
	})
	// default_role, and admin once allowed; the role claim may be nested.
	putHS256(t, s, acme, `,"default_role":"read","role_claim":"app.role","allowed_roles":["read","admin"]`)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "the default role", Method: "GET", Path: "/api/v1/t/acme", Key: hs(claims(map[string]any{"role": nil})), Status: 200,
			Contains: []string{`"role":"read"`}},
		{Name: "a nested role claim", Method: "GET", Path: "/api/v1/t/acme/keys", Key: hs(claims(map[string]any{"app": map[string]any{"role": "admin"}})),
			Status: 200},
	})
}

func TestPublicKeyTokens(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	acme := s.Tenant(t, "acme")
	rk := rsaKey(t)
	ek, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	edPub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	for _, c := range []struct {
		alg  jose.SignatureAlgorithm
		pub  crypto.PublicKey
		key  any
		kind jose.SignatureAlgorithm // another algorithm's token, refused
	}{
		{jose.RS256, &rk.PublicKey, rk, jose.ES256},
		{jose.ES256, &ek.PublicKey, ek, jose.RS256},
		{jose.EdDSA, edPub, edKey, jose.ES256},
	} {
		t.Run(string(c.alg), func(t *testing.T) {
			pemText := publicPEM(t, c.pub)
			s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/auth", acme.Admin,
				`{"jwt":{"algorithm":"`+string(c.alg)+`","public_key":`+quote(pemText)+`,"allowed_roles":["read"]}}`)
			otherKey := map[jose.SignatureAlgorithm]any{jose.RS256: rsaKey(t), jose.ES256: other}[c.kind]
			apitest.Run(t, s, []apitest.Scenario{
				{Name: "signed with the key", Method: "GET", Path: "/api/v1/t/acme", Key: sign(t, c.alg, c.key, "", claims(nil)), Status: 200,
					Contains: []string{`"role":"read"`}},
				{Name: "signed with another algorithm", Method: "GET", Path: "/api/v1/t/acme", Key: sign(t, c.kind, otherKey, "", claims(nil)), Status: 401,
					Contains: []string{`"code":"token_bad_algorithm"`}},
				// The public key is no secret: an HMAC over it must not pass for a signature.
				{Name: "HS256 with the public key as its secret", Method: "GET", Path: "/api/v1/t/acme",
					Key: sign(t, jose.HS256, []byte(pemText), "", claims(nil)), Status: 401, Contains: []string{`"code":"token_bad_algorithm"`}},
				{Name: "alg none", Method: "GET", Path: "/api/v1/t/acme", Key: unsigned(claims(nil)), Status: 401,
					Contains: []string{`"code":"token_bad_algorithm"`}},
			})
		})
	}
	wrong := sign(t, jose.ES256, other, "", claims(nil))
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/auth", acme.Admin,
		`{"jwt":{"algorithm":"ES256","public_key":`+quote(publicPEM(t, &ek.PublicKey))+`,"allowed_roles":["read"]}}`)
	if rec := s.Do("GET", "/api/v1/t/acme", wrong, ""); rec.Code != 401 || !strings.Contains(rec.Body.String(), `"token_bad_signature"`) {
		t.Fatalf("ES256 token of another key: %d %s", rec.Code, rec.Body)
	}
}

// jwksServer serves a key set that the test can change, counting its fetches.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	keys    []jose.JSONWebKey
	fetches int
}

func newJWKSServer(t testing.TB, keys ...jose.JSONWebKey) *jwksServer {
	j := &jwksServer{keys: keys}
	j.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		j.mu.Lock()
		defer j.mu.Unlock()
		j.fetches++
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: j.keys})
	}))
	t.Cleanup(j.Close)
	return j
}

func (j *jwksServer) set(keys ...jose.JSONWebKey) { j.mu.Lock(); j.keys = keys; j.mu.Unlock() }
func (j *jwksServer) count() int                  { j.mu.Lock(); defer j.mu.Unlock(); return j.fetches }

// trust makes the server's key-set client trust j's certificate, keeping its dialer (the
// SSRF guard, here allowing local addresses).
func trust(s *apitest.Server, j *jwksServer) {
	tr := s.App.Tokens.Client.Transport.(*http.Transport).Clone()
	tr.TLSClientConfig = j.Client().Transport.(*http.Transport).TLSClientConfig.Clone()
	c := *s.App.Tokens.Client
	c.Transport = tr
	s.App.Tokens.Client = &c
}

func TestJWKSTokensFollowARotation(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit, func(c *config.Config) { c.WebhookAllowPrivate = true })
	acme := s.Tenant(t, "acme")
	k1, k2 := rsaKey(t), rsaKey(t)
	ed, edKey, _ := ed25519.GenerateKey(rand.Reader)
	j := newJWKSServer(t, jose.JSONWebKey{Key: &k1.PublicKey, KeyID: "k1", Use: "sig"},
		jose.JSONWebKey{Key: ed, KeyID: "ed"})
	trust(s, j)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/auth", acme.Admin, `{"jwt":{"jwks_url":"`+j.URL+`/jwks","allowed_roles":["read"]}}`)
	if j.count() != 1 {
		t.Fatalf("the key set was fetched %d times at PUT, want 1", j.count())
	}
	expect := func(name, token string, status int, code string) {
		t.Helper()
		rec := s.Do("GET", "/api/v1/t/acme", token, "")
		if rec.Code != status || code != "" && !strings.Contains(rec.Body.String(), `"code":"`+code+`"`) {
			t.Fatalf("%s: %d %s, want %d %s", name, rec.Code, rec.Body, status, code)
		}
	}
	expect("k1", sign(t, jose.RS256, k1, "k1", claims(nil)), 200, "")
	expect("ed", sign(t, jose.EdDSA, edKey, "ed", claims(nil)), 200, "")
	expect("k1 under another kind of key's kid", sign(t, jose.RS256, k1, "ed", claims(nil)), 401, "token_bad_algorithm")
	expect("HS256 with a kid", sign(t, jose.HS256, []byte(tokenSecret), "k1", claims(nil)), 401, "token_bad_algorithm")
	expect("k2 posing as k1", sign(t, jose.RS256, k2, "k1", claims(nil)), 401, "token_bad_signature")
	fetched := j.count()

	j.set(jose.JSONWebKey{Key: &k2.PublicKey, KeyID: "k2"}) // the issuer rotates to k2
	s.App.Tokens.SetRefetchInterval(time.Hour)
	expect("a new kid within the refetch interval", sign(t, jose.RS256, k2, "k2", claims(nil)), 401, "token_unknown_key")
	if j.count() != fetched {
		t.Fatalf("an unknown kid fetched the key set again within the interval")
	}
	s.App.Tokens.SetRefetchInterval(0)
	expect("the new kid, fetched", sign(t, jose.RS256, k2, "k2", claims(nil)), 200, "")
	if j.count() != fetched+1 {
		t.Fatalf("fetches: %d, want %d", j.count(), fetched+1)
	}
	expect("the old kid, gone", sign(t, jose.RS256, k1, "k1", claims(nil)), 401, "token_unknown_key")
	expect("no kid, one RSA key", sign(t, jose.RS256, k2, "", claims(nil)), 200, "")
}

func TestAVerifiedTokenIsCachedUntilTheSettingsChange(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	acme := s.Tenant(t, "acme")
	putHS256(t, s, acme, `,"allowed_roles":["read"]`)
	tok := sign(t, jose.HS256, []byte(tokenSecret), "", claims(nil))
	before := s.App.Tokens.Verified()
	for range 3 {
		s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme", tok, "")
	}
	if n := s.App.Tokens.Verified() - before; n != 1 {
		t.Fatalf("three requests with one token checked %d signatures, want 1", n)
	}
	if rec := s.Do("GET", "/metrics", "", ""); !strings.Contains(rec.Body.String(), "forma_token_cache_entries 1") {
		t.Errorf("/metrics lacks the token cache gauge:\n%s", grepLines(rec.Body.String(), "forma_token"))
	}
	// The role the token acts as is no longer allowed: the cached token is not used.
	putHS256(t, s, acme, `,"allowed_roles":["write"]`)
	if rec := s.Do("GET", "/api/v1/t/acme", tok, ""); rec.Code != 403 {
		t.Fatalf("a cached token outlived its settings: %d %s", rec.Code, rec.Body)
	}
	s.MustJSON(t, 204, nil, "DELETE", "/api/v1/t/acme/auth", acme.Admin, "")
	if rec := s.Do("GET", "/api/v1/t/acme", tok, ""); rec.Code != 401 || !strings.Contains(rec.Body.String(), "tokens_not_enabled") {
		t.Fatalf("tokens turned off still admit: %d %s", rec.Code, rec.Body)
	}
}

func grepLines(text, sub string) string {
	var out []string
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// roles is a tenant's custom roles by name, until roles are stored.
type roles map[string]bool

func (r roles) HasRole(_ context.Context, _ tenantref.Ref, name string) (bool, error) {
	return r[name], nil
}

func TestTheTokenTestBox(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit)
	s.App.Tokens.Roles = roles{"viewer": true}
	acme := s.Tenant(t, "acme")
	hs := func(c map[string]any) string { return sign(t, jose.HS256, []byte(tokenSecret), "", c) }
	const path = "/api/v1/t/acme/auth/test"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "tokens off", Method: "POST", Path: path, Key: acme.Admin, Body: `{"token":"` + hs(claims(nil)) + `"}`, Status: 200,
			Contains: []string{`"valid":false`, `"code":"tokens_not_enabled"`}},
	})
	putHS256(t, s, acme, "")
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a custom role", Method: "POST", Path: path, Key: acme.Admin, Status: 200,
			Body:     `{"token":"` + hs(claims(map[string]any{"role": "viewer", "sub": "user-9", "n": 12345678901234567})) + `"}`,
			Contains: []string{`"valid":true`, `"role":"viewer"`, `"sub":"user-9"`, `"n":12345678901234567`}},
		{Name: "a built-in role not allowed", Method: "POST", Path: path, Key: acme.Admin, Body: `{"token":"` + hs(claims(nil)) + `"}`, Status: 200,
			Contains: []string{`"valid":false`, `"code":"token_role_not_allowed"`, `"reason":`}},
		{Name: "expired", Method: "POST", Path: path, Key: acme.Admin, Status: 200,
			Body:     `{"token":"` + hs(claims(map[string]any{"role": "viewer", "exp": time.Now().Add(-time.Hour).Unix()})) + `"}`,
			Contains: []string{`"valid":false`, `"code":"token_expired"`}},
		{Name: "a token is required", Method: "POST", Path: path, Key: acme.Admin, Body: `{}`, Status: 400, Contains: []string{`"path":"token"`}},
		{Name: "admin only", Method: "POST", Path: path, Key: acme.Read, Body: `{"token":"x"}`, Status: 403},
	})
	// A custom role acts on the data routes its rules allow; whoami shows it.
	rec := s.Do("GET", "/api/v1/t/acme/auth", hs(claims(map[string]any{"role": "viewer"})), "")
	if rec.Code != 403 {
		t.Fatalf("a custom role reached an admin route: %d %s", rec.Code, rec.Body)
	}
}

func TestFailedTokensCountAgainstTheAddress(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, burstLimit(2))
	acme := s.Tenant(t, "acme")
	putHS256(t, s, acme, `,"allowed_roles":["read"]`)
	bad := sign(t, jose.HS256, []byte(strings.Repeat("y", 32)), "", claims(nil))
	for i, want := range []int{401, 401, 429} {
		if rec := s.Do("GET", "/api/v1/t/acme", bad, ""); rec.Code != want {
			t.Fatalf("bad token %d: %d, want %d: %s", i, rec.Code, want, rec.Body)
		}
	}
	good := sign(t, jose.HS256, []byte(tokenSecret), "", claims(nil))
	if rec := s.Do("GET", "/api/v1/t/acme", good, ""); rec.Code != 429 {
		t.Fatalf("a refused address was let through with a good token: %d", rec.Code)
	}
}

// BenchmarkCachedTokenAgainstKey compares who-am-I with a read key and with a cached
// HS256 token acting as read (make bench-roles runs the load version).
func BenchmarkCachedTokenAgainstKey(b *testing.B) {
	s := apitest.Start(b)
	acme := s.Tenant(b, "acme")
	putHS256(b, s, acme, `,"allowed_roles":["read"]`)
	tok := sign(b, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()}))
	for _, c := range []struct{ name, bearer string }{{"key", acme.Read}, {"token", tok}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if rec := s.Do("GET", "/api/v1/t/acme", c.bearer, ""); rec.Code != 200 {
					b.Fatalf("%d %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

func TestAKeySetThatCannotBeFetchedIsA503(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit, func(c *config.Config) { c.WebhookAllowPrivate = true })
	acme := s.Tenant(t, "acme")
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	j := newJWKSServer(t, jose.JSONWebKey{Key: pub, KeyID: "ed"})
	trust(s, j)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/auth", acme.Admin, `{"jwt":{"jwks_url":"`+j.URL+`","allowed_roles":["read"]}}`)
	j.Close()
	rec := s.Do("GET", "/api/v1/t/acme", sign(t, jose.EdDSA, key, "ed", claims(nil)), "")
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
		t.Fatalf("a key set host that is down: %d %s", rec.Code, rec.Body)
	}
}

// TestOutOfTimeTokensDoNotCountAgainstTheAddress: an expired or not-yet-valid token that
// the tenant's key signed is no guess (an SPA refreshing on 401 sends many): it does not
// count toward the failed-authentication limit, while a bad signature, a malformed token
// and an unknown kid still do.
func TestOutOfTimeTokensDoNotCountAgainstTheAddress(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, burstLimit(2), func(c *config.Config) { c.WebhookAllowPrivate = true })
	acme := s.Tenant(t, "acme")
	putHS256(t, s, acme, `,"allowed_roles":["read"]`)
	hs := func(c map[string]any) string { return sign(t, jose.HS256, []byte(tokenSecret), "", c) }
	now := time.Now()
	expired := hs(claims(map[string]any{"exp": now.Add(-time.Hour).Unix()}))
	early := hs(claims(map[string]any{"nbf": now.Add(time.Hour).Unix()}))
	const nat = "198.51.100.20"
	for i := range 10 {
		for _, tok := range []string{expired, early} {
			if res := from(s, nat, "", "GET", "/api/v1/t/acme", tok); res.StatusCode != 401 {
				t.Fatalf("out-of-time token %d: %d, want 401", i, res.StatusCode)
			}
		}
	}
	if res := from(s, nat, "", "GET", "/api/v1/t/acme", acme.Read); res.StatusCode != 200 {
		t.Fatalf("a key from the address after 20 out-of-time tokens: %d", res.StatusCode)
	}
	if res := from(s, nat, "", "GET", "/api/v1/t/acme", hs(claims(nil))); res.StatusCode != 200 {
		t.Fatalf("a fresh token from the address: %d", res.StatusCode)
	}

	// The same tenant with a key set, for a kid it does not hold.
	beta := s.Tenant(t, "beta")
	pub, edKey, _ := ed25519.GenerateKey(rand.Reader)
	j := newJWKSServer(t, jose.JSONWebKey{Key: pub, KeyID: "ed"})
	trust(s, j)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/beta/auth", beta.Admin, `{"jwt":{"jwks_url":"`+j.URL+`","allowed_roles":["read"]}}`)
	s.App.Tokens.SetRefetchInterval(time.Hour)
	for i, c := range []struct{ name, path, token string }{
		{"a bad signature", "/api/v1/t/acme", sign(t, jose.HS256, []byte(strings.Repeat("y", 32)), "", claims(nil))},
		{"a malformed token", "/api/v1/t/acme", "a.b.c"},
		{"an unknown kid", "/api/v1/t/beta", sign(t, jose.EdDSA, edKey, "gone", claims(nil))},
	} {
		addr := "198.51.100." + itoa(int64(30+i))
		for n, want := range []int{401, 401, 429} {
			if res := from(s, addr, "", "GET", c.path, c.token); res.StatusCode != want {
				t.Fatalf("%s, %d: %d, want %d", c.name, n, res.StatusCode, want)
			}
		}
		if res := from(s, addr, "", "GET", "/api/v1/t/acme", acme.Read); res.StatusCode != 429 {
			t.Fatalf("a key from the address refused for %s: %d, want 429", c.name, res.StatusCode)
		}
	}
}
