package openapi

import (
	"container/list"
	"sync"
)

// Cache keeps generated documents by tenant and schema version: one version per tenant
// (the newest asked for), for at most a fixed number of tenants, least recently used
// first out. It is safe for concurrent use.
type Cache struct {
	mu       sync.Mutex
	max      int
	byTenant map[int64]*list.Element // of *cached
	lru      *list.List              // most recently used first
}

type cached struct {
	tenant, version int64
	doc             []byte
}

// NewCache returns a cache holding the documents of at most that many tenants (at least one).
func NewCache(tenants int) *Cache {
	return &Cache{max: max(1, tenants), byTenant: map[int64]*list.Element{}, lru: list.New()}
}

// Get returns the document of a tenant at a schema version, calling build when it is
// not cached. A newer version replaces the tenant's older one; an older version than
// the cached one is built but not kept. Callers must not modify the returned bytes.
func (c *Cache) Get(tenantID, version int64, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.byTenant[tenantID]; ok && e.Value.(*cached).version == version {
		c.lru.MoveToFront(e)
		doc := e.Value.(*cached).doc
		c.mu.Unlock()
		return doc, nil
	}
	c.mu.Unlock()
	doc, err := build() // outside the lock: a slow build holds up no other tenant
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byTenant[tenantID]; ok {
		if e.Value.(*cached).version > version {
			return doc, nil
		}
		c.lru.Remove(e)
	}
	c.byTenant[tenantID] = c.lru.PushFront(&cached{tenant: tenantID, version: version, doc: doc})
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.byTenant, last.Value.(*cached).tenant)
	}
	return doc, nil
}

// Len returns the number of documents held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
