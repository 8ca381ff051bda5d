package replicatest

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

// keyTTL sets how long the replica trusts a key lookup (FORMA_KEY_CACHE_TTL). It also
// lifts the limit on failed authentications: these tests fail many on purpose.
func keyTTL(d time.Duration) option {
	return func(c *config.Config) { c.KeyCacheTTL, c.AuthFail.Burst = d, 0 }
}

func itoa(id int64) string { return strconv.FormatInt(id, 10) }

// keysHealthy waits until every replica's key cache is subscribed too.
func keysHealthy(t testing.TB, rs ...*replica) {
	t.Helper()
	waitHealthy(t, rs...)
	for _, r := range rs {
		eventually(t, 10*time.Second, r.name+" key cache subscribed", func() bool {
			a := r.do(t, "GET", "/readyz", "", "")
			return a.status == http.StatusOK && strings.Contains(string(a.body), `"status":"ok"`)
		})
	}
}

// newKey makes a key of role through r with the tenant's admin key.
func newKey(t testing.TB, r *replica, slug, admin, role string) string {
	t.Helper()
	var k struct{ Key string }
	r.must(t, http.StatusCreated, &k, "POST", "/api/v1/t/"+slug+"/keys", admin, `{"name":"`+role+`","role":"`+role+`"}`)
	return k.Key
}

// everyUse is a read, a record write, a key write and who-am-I of tenant acme.
var everyUse = []struct{ method, path, body string }{
	{"GET", "/api/v1/t/acme", ""},
	{"GET", "/api/v1/t/acme/data/event", ""},
	{"POST", "/api/v1/t/acme/data/event", `{"country":"XX"}`},
	{"POST", "/api/v1/t/acme/keys", `{"name":"stale","role":"admin"}`},
}

// A tenant is deleted and created again with the same slug through A; B had the old
// admin key cached. The old key is refused on B from the first request on, for reading
// and for writing, and nothing it sent reached the new tenant.
func TestADeletedTenantsKeyIsRefusedOnEveryReplicaAtOnce(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a", keyTTL(time.Hour)), c.start("b", keyTTL(time.Hour))
	keysHealthy(t, a, b)
	old := newTenant(t, a, "acme")
	putEvent(t, a, "acme", old)
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event", old, "") // B caches the key and the model

	a.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/tenants/acme?confirm=acme", adminKey, "")
	again := newTenant(t, a, "acme")
	putEvent(t, a, "acme", again)
	a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", again, `{"country":"PL"}`)
	for _, u := range everyUse {
		if got := b.do(t, u.method, u.path, old, u.body); got.status != http.StatusUnauthorized {
			t.Errorf("the deleted tenant's key on B: %s, want 401", got)
		}
	}
	var page struct{ Data []record }
	b.must(t, http.StatusOK, &page, "GET", "/api/v1/t/acme/data/event", again, "")
	var keys struct{ Data []struct{ Name string } }
	b.must(t, http.StatusOK, &keys, "GET", "/api/v1/t/acme/keys", again, "")
	if len(page.Data) != 1 || len(keys.Data) != 1 {
		t.Fatalf("the new tenant has %d records and %d keys, want 1 and 1: %+v %+v", len(page.Data), len(keys.Data), page, keys)
	}
}

// Without Redis a replica learns of a deletion only when its key cache entry expires;
// until then the old key reaches the old tenant's schema, which is gone, never the new
// tenant's, whose schema has a name of its own.
func TestWithoutRedisADeletedTenantsKeyNeverReachesTheNewTenant(t *testing.T) {
	t.Parallel()
	const ttl = 2 * time.Second
	c := newCluster(t)
	noRedis := redisAt("redis://127.0.0.1:" + freePort(t) + "/0")
	a, b := c.start("a", noRedis, keyTTL(ttl)), c.start("b", noRedis, keyTTL(ttl))
	old := newTenant(t, a, "acme")
	putEvent(t, a, "acme", old)
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme/data/event", old, "")

	a.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/tenants/acme?confirm=acme", adminKey, "")
	deleted := time.Now()
	again := newTenant(t, a, "acme")
	putEvent(t, a, "acme", again)
	a.must(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/data/event", again, `{"country":"PL"}`)
	refused := false
	for !refused {
		for _, u := range everyUse[1:] { // who-am-I answers from the cache until the TTL: it shows the old tenant
			got := b.do(t, u.method, u.path, old, u.body)
			if got.status < 300 || strings.Contains(string(got.body), `"country":"PL"`) {
				t.Fatalf("the deleted tenant's key reached the new tenant on B: %s", got)
			}
			if u.path == "/api/v1/t/acme/keys" && got.status != http.StatusUnauthorized {
				t.Fatalf("a key made with the deleted tenant's key on B: %s, want 401 as for any key of a deleted tenant", got)
			}
		}
		refused = b.do(t, "GET", "/api/v1/t/acme", old, "").status == http.StatusUnauthorized
		if !refused && time.Since(deleted) > ttl+time.Second {
			t.Fatalf("the deleted tenant's key still works on B %s after the deletion (TTL %s)", time.Since(deleted), ttl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	var n int
	if err := a.app.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM forma.keys`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d keys (%v), want the new tenant's one", n, err)
	}
	var page struct{ Data []record }
	a.must(t, http.StatusOK, &page, "GET", "/api/v1/t/acme/data/event", again, "")
	if len(page.Data) != 1 {
		t.Fatalf("the new tenant has %d records, want its own one: %+v", len(page.Data), page)
	}
}

// A key revoked through A is refused by B at once with Redis, and within the key cache
// TTL without it.
func TestARevokedKeyIsRefusedByTheOtherReplica(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a, b := c.start("a", keyTTL(time.Hour)), c.start("b", keyTTL(time.Hour))
	keysHealthy(t, a, b)
	admin := newTenant(t, a, "acme")
	for range rounds(10) {
		k := newKey(t, a, "acme", admin, "read")
		b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", k, "") // cached on B for an hour
		var list struct{ Data []struct{ ID int64 } }
		a.must(t, http.StatusOK, &list, "GET", "/api/v1/t/acme/keys", admin, "")
		id := list.Data[len(list.Data)-1].ID
		a.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/keys/"+itoa(id), admin, "")
		if got := b.do(t, "GET", "/api/v1/t/acme", k, ""); got.status != http.StatusUnauthorized {
			t.Fatalf("a key revoked on A, on B right after: %s, want 401", got)
		}
	}

	const ttl = 1500 * time.Millisecond
	noRedis := redisAt("redis://127.0.0.1:" + freePort(t) + "/0")
	x, y := c.start("x", noRedis, keyTTL(ttl)), c.start("y", noRedis, keyTTL(ttl))
	k := newKey(t, x, "acme", admin, "read")
	y.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", k, "")
	var list struct{ Data []struct{ ID int64 } }
	x.must(t, http.StatusOK, &list, "GET", "/api/v1/t/acme/keys", admin, "")
	x.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/keys/"+itoa(list.Data[len(list.Data)-1].ID), admin, "")
	revoked := time.Now()
	eventually(t, ttl+time.Second, "y refuses the key revoked on x", func() bool {
		return y.do(t, "GET", "/api/v1/t/acme", k, "").status == http.StatusUnauthorized
	})
	if since := time.Since(revoked); since > ttl+500*time.Millisecond {
		t.Fatalf("y refused the key only %s after the revocation (TTL %s)", since, ttl)
	}
}

// A lost subscription drops B's whole key cache: a revocation whose notice B never got
// (its connection was down) is seen once B resubscribes.
func TestALostKeySubscriptionDropsTheKeyCache(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	a := c.start("a", keyTTL(time.Hour))
	b := c.start("b", keyTTL(time.Hour))
	lost := c.start("l", keyTTL(time.Hour), prefix(c.prefix+"elsewhere:")) // its notices reach nobody
	keysHealthy(t, a, b, lost)
	admin := newTenant(t, a, "acme")
	k := newKey(t, a, "acme", admin, "read")
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", k, "")
	var list struct{ Data []struct{ ID int64 } }
	lost.must(t, http.StatusOK, &list, "GET", "/api/v1/t/acme/keys", admin, "")
	lost.must(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/keys/"+itoa(list.Data[len(list.Data)-1].ID), admin, "")
	b.must(t, http.StatusOK, nil, "GET", "/api/v1/t/acme", k, "") // no notice: B still trusts its cache
	killPubSub(t, c.redisURL, b.clientName+":keys")
	eventually(t, 10*time.Second, "B resubscribed and refuses the key", func() bool {
		return b.do(t, "GET", "/api/v1/t/acme", k, "").status == http.StatusUnauthorized
	})
}
