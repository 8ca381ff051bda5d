package httpapi_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

// TestAKeySetRefreshBlocksNoRequest: while a tenant's key set is refetched from a host
// that does not answer, requests with new tokens of known keys go on with the set they
// have (the hourly refresh runs once, in the background), and a token with an unknown
// kid waits for the refetch no longer than its request's context.
func TestAKeySetRefreshBlocksNoRequest(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit, func(c *config.Config) { c.WebhookAllowPrivate = true })
	acme := s.Tenant(t, "acme")
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: pub, KeyID: "ed"}}})
	var slow atomic.Bool
	var fetches atomic.Int32
	release := make(chan struct{})
	j := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if slow.Load() {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
		_, _ = w.Write(set)
	}))
	t.Cleanup(j.Close)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	trust(s, &jwksServer{Server: j})
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/auth", acme.Admin, `{"jwt":{"jwks_url":"`+j.URL+`","allowed_roles":["read"]}}`)
	token := func(kid string, n int) string {
		return sign(t, jose.EdDSA, key, kid, claims(map[string]any{"n": n}))
	}
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme", token("ed", 0), "") // the set is fetched and kept

	slow.Store(true)
	before := fetches.Load()
	s.App.Tokens.SetKeySetMaxAge(0) // every request finds the set due for its refresh
	s.App.Tokens.SetRefetchInterval(0)
	start := time.Now()
	var wg sync.WaitGroup
	codes := make([]int, 8)
	for i := range codes {
		wg.Go(func() { codes[i] = s.Do("GET", "/api/v1/t/acme", token("ed", i+1), "").Code })
	}
	wg.Wait()
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("8 new tokens took %s while the key set's host hung", took)
	}
	for i, c := range codes {
		if c != 200 {
			t.Fatalf("token %d: %d while the set was being refreshed", i, c)
		}
	}
	for deadline := time.Now().Add(time.Second); fetches.Load() == before && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond) // the refresh runs on its own
	}
	if n := fetches.Load() - before; n != 1 {
		t.Fatalf("8 requests began %d fetches of the set, want 1", n)
	}

	// An unknown kid waits for the fetch running, no longer than its context.
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start = time.Now()
	rec := s.Serve(s.Request("GET", "/api/v1/t/acme", token("new", 99), "").WithContext(ctx))
	if took := time.Since(start); took > 2*time.Second || rec.Code != 401 || !strings.Contains(rec.Body.String(), "token_unknown_key") {
		t.Fatalf("an unknown kid while the host hung: %d %s after %s", rec.Code, rec.Body, took)
	}
	once.Do(func() { close(release) })
}

// TestTokenSettingsMistakesAreRefused: a default_role that is no role of the tenant, and
// a key set with no key of the algorithm named, are 400s at PUT rather than tokens
// refused later; a role claim of "" takes the default role.
func TestTokenSettingsMistakesAreRefused(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t, noAuthLimit, func(c *config.Config) { c.WebhookAllowPrivate = true })
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin, postModel)
	s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	pub, _, _ := ed25519.GenerateKey(rand.Reader)
	j := newJWKSServer(t, jose.JSONWebKey{Key: pub, KeyID: "ed"})
	trust(s, j)
	hs := `{"jwt":{"algorithm":"HS256","secret":"` + tokenSecret + `","default_role":`
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a default role the tenant lacks", Method: "PUT", Path: "/api/v1/t/acme/auth", Key: acme.Admin, Body: hs + `"ghost"}}`,
			Status: 400, Contains: []string{`"path":"jwt.default_role","code":"invalid_value"`}},
		{Name: "nothing stored", Method: "GET", Path: "/api/v1/t/acme/auth", Key: acme.Admin, Status: 200, Contains: []string{`"jwt":null`}},
		{Name: "a key set without a key of the algorithm", Method: "PUT", Path: "/api/v1/t/acme/auth", Key: acme.Admin,
			Body: `{"jwt":{"jwks_url":"` + j.URL + `","algorithm":"RS256"}}`, Status: 400,
			Contains: []string{`"path":"jwt.jwks_url","code":"invalid_value"`, "RS256"}},
		{Name: "a key set with one", Method: "PUT", Path: "/api/v1/t/acme/auth", Key: acme.Admin,
			Body: `{"jwt":{"jwks_url":"` + j.URL + `","algorithm":"EdDSA"}}`, Status: 200},
		{Name: "a default role of the tenant", Method: "PUT", Path: "/api/v1/t/acme/auth", Key: acme.Admin, Body: hs + `"viewer"}}`, Status: 200},
		{Name: "a role claim of \"\" takes the default", Method: "GET", Path: "/api/v1/t/acme",
			Key: sign(t, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"role": ""})), Status: 200,
			Contains: []string{`"role":"viewer"`}},
	})
}
