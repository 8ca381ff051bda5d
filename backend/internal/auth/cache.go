package auth

import (
	"sync"
	"time"

	"forma.dev/backend/internal/lru"
)

// maxCached bounds the cache; past it the key used least recently is forgotten.
const maxCached = 10_000

// cachedKey is a key row, with its tenant, remembered by one replica for a short time.
type cachedKey struct {
	hash      []byte
	principal Principal
	expires   time.Time
	used      bool // since the last sweep (sweep.go)
}

// keyCache remembers key rows by lookup id for ttl. A revocation or a tenant deletion on
// this replica takes effect at once; on other replicas at once through Redis (notify.go),
// or within ttl when Redis is down or absent.
type keyCache struct {
	ttl  time.Duration
	mu   sync.Mutex
	keys *lru.Cache[string, *cachedKey] // guarded by mu
	// gen counts drops. A lookup that read the database before a drop must not cache
	// what it read: the row may be the one just revoked or deleted.
	gen    uint64
	sweeps uint64 // sweeps that refreshed the keys in use (sweep.go)
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, keys: lru.New[string, *cachedKey](maxCached)}
}

// get returns the cached key and, for a miss, the generation to hand to put.
func (c *keyCache) get(lookup string, now time.Time) (k cachedKey, ok bool, gen uint64) {
	if c.ttl <= 0 {
		return cachedKey{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.keys.Get(lookup)
	if !ok || now.After(e.expires) {
		c.keys.Remove(lookup)
		return cachedKey{}, false, c.gen
	}
	e.used = true
	return *e, true, c.gen
}

// put caches a key read from the database, unless something was dropped since get
// returned gen.
func (c *keyCache) put(lookup string, hash []byte, p Principal, now time.Time, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if gen != c.gen {
		return
	}
	c.keys.Put(lookup, &cachedKey{hash: hash, principal: p, expires: now.Add(c.ttl), used: true})
}

// dropAll forgets every key, e.g. when notices may have been lost.
func (c *keyCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.keys.Clear()
}

// len is how many keys are cached now (the gauge forma_key_cache_entries).
func (c *keyCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.keys.Len()
}

func (c *keyCache) drop(lookup string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.keys.Remove(lookup)
}

func (c *keyCache) dropTenant(tenantID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	c.keys.RemoveFunc(func(_ string, k *cachedKey) bool { return k.principal.Tenant.ID == tenantID })
}
