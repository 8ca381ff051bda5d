package httpapi

import (
	"sync"
	"sync/atomic"

	"forma.dev/backend/internal/lru"
)

// maxInflightTenants bounds the tenants whose requests in flight a replica counts; past
// it the tenant seen least recently is forgotten (its requests still running release
// their own counter, so a forgotten tenant may briefly run more than its limit).
const maxInflightTenants = 10_000

// inflight counts each tenant's requests in flight on this replica.
type inflight struct {
	mu      sync.Mutex
	tenants *lru.Cache[int64, *atomic.Int64] // guarded by mu
}

func newInflight() *inflight {
	return &inflight{tenants: lru.New[int64, *atomic.Int64](maxInflightTenants)}
}

// acquire counts one more request of tenant id, unless it has max in flight already;
// release the counter it returns when the request is done.
func (f *inflight) acquire(id, max int64) (*atomic.Int64, bool) {
	f.mu.Lock()
	n, ok := f.tenants.Get(id)
	if !ok {
		n = new(atomic.Int64)
		f.tenants.Put(id, n)
	}
	f.mu.Unlock()
	if v := n.Add(1); v > max {
		n.Add(-1)
		return nil, false
	}
	return n, true
}

// len is how many tenants are counted now (the gauge forma_tenant_inflight_entries).
func (f *inflight) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tenants.Len()
}
