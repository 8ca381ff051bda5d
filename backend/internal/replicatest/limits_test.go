package replicatest

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/limits"
)

// unlimited lifts the tenants' request limits, for tests that send as many requests as
// they can and measure something else.
func unlimited(c *config.Config) {
	c.TenantLimits[limits.RequestsPerSecond], c.TenantLimits[limits.ConcurrentRequests] = 0, 0
}

// A change of a tenant's limits through A holds on B from B's next request, although B
// trusts its cached key (with the limits read beside it) for an hour; and both replicas
// count the tenant's requests per second together, through Redis.
func TestALimitChangeHoldsOnEveryReplicaAtOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a", keyTTL(time.Hour)), c.start("b", keyTTL(time.Hour))
	keysHealthy(t, a, b)
	key := newTenant(t, a, "acme")
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", key, "") // B caches the key with the default limits

	a.must(t, http.StatusOK, nil, "PATCH", "/api/v1/tenants/acme", adminKey, `{"limits":{"requests_per_second":4}}`)
	got := b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", key, "")
	if !strings.Contains(string(got.body), `"own_limits":{"requests_per_second":4}`) ||
		got.header.Get("RateLimit-Policy") != `"tenant";q=4;w=1` {
		t.Fatalf("B after the change: %s %v", got.body, got.header)
	}
	allowed, start := 1, time.Now() // B's request above
	for i := range 10 {
		r := []*replica{a, b}[i%2]
		switch got := r.do(t, "GET", "/api/v1/t/acme", key, ""); got.status {
		case http.StatusOK:
			allowed++
		case http.StatusTooManyRequests:
		default:
			t.Fatalf("on %s: %s", r.name, got)
		}
	}
	// The shared burst of 4, and one more for each quarter of a second the loop took.
	if most := 4 + int(time.Since(start)/(250*time.Millisecond)); allowed < 4 || allowed > most {
		t.Fatalf("A and B allowed %d requests together, want from 4 to %d", allowed, most)
	}

	a.must(t, http.StatusOK, nil, "PATCH", "/api/v1/tenants/acme", adminKey, `{"limits":{"requests_per_second":null}}`)
	got = b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", key, "")
	if !strings.Contains(string(got.body), `"own_limits":{}`) {
		t.Fatalf("B after the reset: %s", got.body)
	}
}
