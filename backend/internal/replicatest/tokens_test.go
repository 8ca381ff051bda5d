package replicatest

import (
	"net/http"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
)

// A token cached on B (settings for an hour, the token until it expires) is refused on B
// as soon as A turns tokens off or changes what they may act as; without Redis, within
// the cache TTL.
func TestATokenSettingsChangeHoldsOnEveryReplicaAtOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a", keyTTL(time.Hour)), c.start("b", keyTTL(time.Hour))
	keysHealthy(t, a, b)
	admin := newTenant(t, a, "acme")
	const secret = "0123456789abcdef0123456789abcdef"
	put := func(r *replica, allowed string) {
		r.must(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/auth", admin,
			`{"jwt":{"algorithm":"HS256","secret":"`+secret+`","allowed_roles":["`+allowed+`"]}}`)
	}
	tok := apitest.HS256(t, secret, map[string]any{"sub": "user-1", "role": "read", "exp": time.Now().Add(time.Hour).Unix()})
	for i := range rounds(5) {
		put(a, "read")
		b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", tok, "") // cached on B
		b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", tok, "")
		if i%2 == 0 {
			put(a, "write")
			if got := b.do(t, "GET", "/api/v1/t/acme", tok, ""); got.status != http.StatusForbidden {
				t.Fatalf("round %d: read no longer allowed on A, on B right after: %s, want 403", i, got)
			}
		} else {
			a.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/auth", admin, "")
			if got := b.do(t, "GET", "/api/v1/t/acme", tok, ""); got.status != http.StatusUnauthorized {
				t.Fatalf("round %d: tokens off on A, on B right after: %s, want 401", i, got)
			}
		}
	}

	const ttl = 1500 * time.Millisecond
	noRedis := redisAt("redis://127.0.0.1:" + freePort(t) + "/0")
	x, y := c.start("x", noRedis, keyTTL(ttl)), c.start("y", noRedis, keyTTL(ttl))
	put(x, "read")
	y.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", tok, "")
	x.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/auth", admin, "")
	off := time.Now()
	eventually(t, ttl+time.Second, "y refuses the token turned off on x", func() bool {
		return y.do(t, "GET", "/api/v1/t/acme", tok, "").status == http.StatusUnauthorized
	})
	if since := time.Since(off); since > ttl+500*time.Millisecond {
		t.Fatalf("y refused the token only %s after tokens were turned off (TTL %s)", since, ttl)
	}
}
