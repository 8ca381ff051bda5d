package httpapi

import (
	"context"
	"hash/maphash"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/lru"
	"forma.dev/backend/internal/ratelimit"
)

// A tenant's share of the database on this replica. Every data request holds one of its
// tenant's database_connections slots while it runs; a request whose kind (route, model
// and query parameter names) has averaged slowSince or more also holds one of the
// tenant's slow slots, one per 32 slots of its share (one by default). So a tenant's slow
// lists queue behind each other, not in front of other tenants' reads: on a pool and CPUs
// shared by every tenant, a few statements that each read a whole table (each with
// Postgres's parallel workers) are what takes the time the others need.
const (
	// maxShareTenants bounds the tenants whose shares a replica keeps; past it the one seen
	// least recently is forgotten (its requests still running release their own slots).
	maxShareTenants = 10_000
	// maxShareKinds bounds the kinds of request whose durations a tenant's share keeps
	// (each a hash and a duration: a few KiB a tenant at most).
	maxShareKinds = 32
	// slowSince is the average time from which a kind of request counts as slow.
	slowSince = 20 * time.Millisecond
	// maxShareWait is how long a request waits for a slot before it is answered 429.
	maxShareWait = 2 * time.Second
	// databasePolicy names the share in the RateLimit headers.
	databasePolicy = "database"
)

// fairShare keeps each tenant's share of the database on this replica.
type fairShare struct {
	mu     sync.Mutex
	shares *lru.Cache[int64, *tenantShare] // guarded by mu
}

func newFairShare() *fairShare {
	return &fairShare{shares: lru.New[int64, *tenantShare](maxShareTenants)}
}

// tenantShare is one tenant's slots, as semaphores, and its kinds' average durations.
type tenantShare struct {
	all  chan struct{} // a slot per connection of its share
	slow chan struct{} // slots its slow kinds of request take as well

	mu    sync.Mutex
	kinds *lru.Cache[uint64, time.Duration] // average duration per kind (requestKind); guarded by mu
}

// slowSlots is the part of a share of n connections that slow requests may hold: one per
// pool's worth. Eight slow lists of one tenant at once left another tenant's reads a p99
// 3.2× their own on two CPUs, two 2.1×, one 1.6× (docs/benchmarks-noisy.md).
func slowSlots(n int64) int64 { return max(1, n/32) }

// share returns tenant id's share of n connections: the one kept, unless n changed.
func (f *fairShare) share(id, n int64) *tenantShare {
	f.mu.Lock()
	defer f.mu.Unlock()
	s, ok := f.shares.Get(id)
	if !ok || int64(cap(s.all)) != n {
		s = &tenantShare{all: make(chan struct{}, n), slow: make(chan struct{}, slowSlots(n)),
			kinds: lru.New[uint64, time.Duration](maxShareKinds)}
		f.shares.Put(id, s)
	}
	return s
}

// isSlow reports whether kind has averaged slowSince or more.
func (s *tenantShare) isSlow(kind uint64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, _ := s.kinds.Get(kind)
	return d >= slowSince
}

// took adds one request's duration to kind's average (an exponential moving average
// over about the last eight).
func (s *tenantShare) took(kind uint64, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if avg, ok := s.kinds.Get(kind); ok {
		d = avg + (d-avg)/8
	}
	s.kinds.Put(kind, d)
}

// take waits for a slot of sem until the context ends or wait passes; false: none came.
func take(ctx context.Context, sem chan struct{}, wait time.Duration) bool {
	select {
	case sem <- struct{}{}:
		return true
	default:
	}
	t := time.NewTimer(wait)
	defer t.Stop()
	select {
	case sem <- struct{}{}:
		return true
	case <-t.C:
	case <-ctx.Done():
	}
	return false
}

// acquire takes the slots a request of kind needs, waiting at most wait in all; it
// returns their release, or false when they did not come in time (none is then held).
func (s *tenantShare) acquire(ctx context.Context, kind uint64, wait time.Duration) (func(), bool) {
	deadline := time.Now().Add(wait)
	slow := s.isSlow(kind)
	// The slow slot first: slow requests waiting their turn hold none of the share.
	if slow && !take(ctx, s.slow, wait) {
		return nil, false
	}
	if !take(ctx, s.all, time.Until(deadline)) {
		if slow {
			<-s.slow
		}
		return nil, false
	}
	return func() {
		<-s.all
		if slow {
			<-s.slow
		}
	}, true
}

// len is how many tenants' shares are kept now (the gauge forma_tenant_dbshare_entries).
func (f *fairShare) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.shares.Len()
}

// kindSeed seeds requestKind's hashes, the same for the life of the process.
var kindSeed = maphash.MakeSeed()

// requestKind is a hash of what a data request does, whatever its values: the method,
// the route, the model and its query parameters' names (filters with their lookups,
// sort, limit...), which decide its statement.
func requestKind(method, route, model string, query map[string][]string) uint64 {
	names := make([]string, 0, len(query))
	for k := range query {
		names = append(names, k)
	}
	slices.Sort(names)
	var h maphash.Hash
	h.SetSeed(kindSeed)
	for _, s := range [...]string{method, route, model} {
		h.WriteString(s)
		h.WriteByte(0)
	}
	for _, n := range names {
		h.WriteString(n)
		h.WriteByte(0)
	}
	return h.Sum64()
}

// shareKind is the request's kind (requestKind). A streamed create is a kind of its
// own, by its format: it takes seconds, and would make its model's JSON creates, of
// the same route, count as slow.
func shareKind(c *gin.Context) uint64 {
	method := c.Request.Method
	if f := importFormat(c); f != "" {
		method += " " + f
	}
	return requestKind(method, c.FullPath(), c.Param("model"), c.Request.URL.Query())
}

// shareDatabase holds the request's slots of its tenant's share (database_connections)
// while the handler runs; a request that waited maxShareWait for them is answered 429.
func (a *api) shareDatabase(c *gin.Context) {
	n := a.limitsOf(c)[limits.DatabaseConnections]
	if n <= 0 {
		c.Next()
		return
	}
	s := a.share.share(PrincipalOf(c).Tenant.ID, n)
	kind := shareKind(c)
	release, ok := s.acquire(c.Request.Context(), kind, maxShareWait)
	if !ok {
		a.rateLimited(c, databasePolicy, ratelimit.Limit{Burst: int(n), Rate: int(n), Period: time.Second},
			ratelimit.Result{RetryAfter: time.Second},
			"the tenant's requests hold its share of the database on this server (database_connections, "+
				strconv.FormatInt(n, 10)+"; slow requests one per 32 of it); try again after Retry-After")
		return
	}
	start := time.Now()
	defer func() {
		release()
		s.took(kind, time.Since(start))
	}()
	c.Next()
}
