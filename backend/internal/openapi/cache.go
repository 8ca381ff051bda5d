package openapi

import (
	"container/list"
	"sync"
)

// Cache keeps generated documents by tenant (and custom role) and schema version: one
// version per tenant and role (the newest asked for), for at most a fixed number of
// documents, least recently used first out. It is safe for concurrent use.
type Cache struct {
	mu    sync.Mutex
	max   int
	byKey map[docKey]*list.Element // of *cached
	lru   *list.List               // most recently used first
}

// docKey names a tenant's document: the built-in roles' (role "") or a custom role's.
type docKey struct {
	tenant int64
	role   string
}

type cached struct {
	key     docKey
	version int64
	doc     []byte
}

// CacheDocuments is the bound of the server's cache, in documents: a tenant's built-in
// roles share one, each custom role that asks has its own (up to access.MaxRoles per
// tenant), so this is some 1000 tenants' built-in documents and as many of custom roles'.
const CacheDocuments = 2000

// NewCache returns a cache holding at most that many documents (at least one), each a
// tenant's (its built-in roles') or a custom role's.
func NewCache(documents int) *Cache {
	return &Cache{max: max(1, documents), byKey: map[docKey]*list.Element{}, lru: list.New()}
}

// Get returns the document of a tenant at a schema version, calling build when it is
// not cached. A newer version replaces the tenant's older one; an older version than
// the cached one is built but not kept. Callers must not modify the returned bytes.
func (c *Cache) Get(tenantID, version int64, build func() ([]byte, error)) ([]byte, error) {
	return c.get(docKey{tenant: tenantID}, version, build)
}

// GetFor is Get for the document a custom role sees.
func (c *Cache) GetFor(tenantID int64, role string, version int64, build func() ([]byte, error)) ([]byte, error) {
	return c.get(docKey{tenantID, role}, version, build)
}

func (c *Cache) get(key docKey, version int64, build func() ([]byte, error)) ([]byte, error) {
	c.mu.Lock()
	if e, ok := c.byKey[key]; ok && e.Value.(*cached).version == version {
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
	if e, ok := c.byKey[key]; ok {
		if e.Value.(*cached).version > version {
			return doc, nil
		}
		c.lru.Remove(e)
	}
	c.byKey[key] = c.lru.PushFront(&cached{key: key, version: version, doc: doc})
	for c.lru.Len() > c.max {
		last := c.lru.Back()
		c.lru.Remove(last)
		delete(c.byKey, last.Value.(*cached).key)
	}
	return doc, nil
}

// Len returns the number of documents held.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.lru.Len()
}
