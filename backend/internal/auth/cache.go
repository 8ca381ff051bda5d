package auth

import (
	"sync"
	"time"
)

// maxCached bounds the cache; when full it is emptied (keys are cheap to look up again).
const maxCached = 10_000

// cachedKey is a key row, with its tenant, remembered by one replica for a short time.
type cachedKey struct {
	hash      []byte
	principal Principal
	expires   time.Time
}

// keyCache remembers key rows by lookup id for ttl. A revocation or a tenant deletion on
// this replica takes effect at once; on other replicas at once through Redis (notify.go),
// or within ttl when Redis is down or absent.
type keyCache struct {
	ttl  time.Duration
	mu   sync.Mutex
	keys map[string]cachedKey
	// gen counts drops. A lookup that read the database before a drop must not cache
	// what it read: the row may be the one just revoked or deleted.
	gen uint64
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, keys: map[string]cachedKey{}}
}

// get returns the cached key and, for a miss, the generation to hand to put.
func (c *keyCache) get(lookup string, now time.Time) (k cachedKey, ok bool, gen uint64) {
	if c.ttl <= 0 {
		return cachedKey{}, false, 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok = c.keys[lookup]
	if !ok || now.After(k.expires) {
		delete(c.keys, lookup)
		return cachedKey{}, false, c.gen
	}
	return k, true, c.gen
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
	if len(c.keys) >= maxCached {
		clear(c.keys)
	}
	c.keys[lookup] = cachedKey{hash: hash, principal: p, expires: now.Add(c.ttl)}
}

// dropAll forgets every key, e.g. when notices may have been lost.
func (c *keyCache) dropAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	clear(c.keys)
}

func (c *keyCache) drop(lookup string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	delete(c.keys, lookup)
}

func (c *keyCache) dropTenant(tenantID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	for lookup, k := range c.keys {
		if k.principal.Tenant.ID == tenantID {
			delete(c.keys, lookup)
		}
	}
}
