package auth

import (
	"sync"
	"time"
)

// maxCached bounds the cache; when full it is emptied (keys are cheap to look up again).
const maxCached = 10_000

// cachedKey is a key row remembered by one replica for a short time.
type cachedKey struct {
	hash      []byte
	principal Principal
	expires   time.Time
}

// keyCache remembers key rows by lookup id for ttl. A revocation on this replica takes
// effect at once; on other replicas within ttl.
type keyCache struct {
	ttl  time.Duration
	mu   sync.Mutex
	keys map[string]cachedKey
}

func newKeyCache(ttl time.Duration) *keyCache {
	return &keyCache{ttl: ttl, keys: map[string]cachedKey{}}
}

func (c *keyCache) get(lookup string, now time.Time) (cachedKey, bool) {
	if c.ttl <= 0 {
		return cachedKey{}, false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k, ok := c.keys[lookup]
	if !ok || now.After(k.expires) {
		delete(c.keys, lookup)
		return cachedKey{}, false
	}
	return k, true
}

func (c *keyCache) put(lookup string, hash []byte, p Principal, now time.Time) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.keys) >= maxCached {
		clear(c.keys)
	}
	c.keys[lookup] = cachedKey{hash: hash, principal: p, expires: now.Add(c.ttl)}
}

func (c *keyCache) drop(lookup string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.keys, lookup)
}

func (c *keyCache) dropTenant(tenantID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for lookup, k := range c.keys {
		if k.principal.TenantID == tenantID {
			delete(c.keys, lookup)
		}
	}
}
