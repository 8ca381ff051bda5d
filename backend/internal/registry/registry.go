// Package registry is the model cache: each replica keeps the compiled models of its
// active tenants, keyed by (tenant, schema version), in a bounded LRU. Postgres holds
// the truth; Redis, when configured, holds a version hint and an immutable snapshot per
// (tenant, version), and a pub/sub channel tells every replica to drop stale entries.
//
// Staleness is bounded three ways: a message on the channel drops an entry at once; a
// (re)subscription drops every entry (messages may have been lost meanwhile); and an
// entry is re-checked against the version in Postgres at most once per window
// (WithWindow, default 2s) whatever Redis says, so no model is used past the window
// after its change committed, even if a publish was lost or Redis is down.
package registry

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"

	"forma.dev/backend/internal/lru"
	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/redisbus"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// Set is one tenant's models at one schema version, compiled. It is immutable: a change
// makes a new Set, so a request may keep using the one it started with.
type Set struct {
	Tenant  int64
	Version int64
	Schema  string
	Tables  map[string]*records.Table
	Models  []schema.Model
	// Roles are the tenant's custom roles at this version, by name.
	Roles map[string]*access.Stored
}

// Table returns the compiled table of the model with the given name.
func (s *Set) Table(model string) (*records.Table, bool) {
	t, ok := s.Tables[model]
	return t, ok
}

// compile builds the Set of models and roles for tenant t at version v.
func compile(t tenantref.Ref, v int64, models []schema.Model, roles map[string]*access.Stored) (*Set, error) {
	if roles == nil {
		roles = map[string]*access.Stored{}
	}
	s := &Set{Tenant: t.ID, Version: v, Schema: t.Schema, Models: models, Roles: roles,
		Tables: make(map[string]*records.Table, len(models))}
	for _, m := range models {
		tbl, err := records.Compile(t.Schema, m)
		if err != nil {
			return nil, fmt.Errorf("registry: tenant %d v%d: %w", t.ID, v, err)
		}
		s.Tables[m.Name] = tbl
	}
	return s, nil
}

// entry is one cached tenant: its compiled set, when its version must be re-checked,
// and whether it was used since the last sweep (sweep.go).
type entry struct {
	set     *Set
	checkAt time.Time
	used    bool
}

// Registry is one replica's model cache. It is safe for concurrent use.
type Registry struct {
	src    Source
	rdb    *redis.Client // nil: in-process only
	log    *slog.Logger
	window time.Duration
	ttl    time.Duration
	prefix string
	now    func() time.Time

	mu    sync.Mutex
	cache *lru.Cache[int64, *entry] // by tenant; guarded by mu
	seq   atomic.Uint64             // bumped by every invalidation; a load that overlaps one is re-checked soon

	flight  singleflight.Group
	stats   counters
	bus     *redisbus.Listener // nil without Redis
	lastErr atomic.Value

	onDrop func(tenant int64) // tests: called when a notice drops an entry

	stop context.CancelFunc // ends the sweep and the subscriber
	done chan struct{}      // closed when the sweep has ended
}

// New returns a registry that loads models from src, configured by opts. With
// WithRedis, call Start to run the subscriber and Close when done.
func New(src Source, opts ...Option) *Registry {
	r := &Registry{src: src, log: slog.Default(), window: 2 * time.Second,
		ttl: 24 * time.Hour, prefix: "forma:", now: time.Now, cache: lru.New[int64, *entry](1000)}
	for _, o := range opts {
		o(r)
	}
	if r.rdb != nil {
		r.bus = r.listener()
	}
	return r
}

// versionKey is the Redis key of a tenant's current version hint.
func (r *Registry) versionKey(tenant int64) string { return fmt.Sprintf("%sv:%d", r.prefix, tenant) }

// snapKey is the Redis key of a tenant's immutable snapshot at version v.
func (r *Registry) snapKey(tenant, v int64) string {
	return r.snapPrefix(tenant) + strconv.FormatInt(v, 10)
}

// snapPrefix is the start of the keys of a tenant's snapshots.
func (r *Registry) snapPrefix(tenant int64) string {
	return fmt.Sprintf("%ssnap:%d:", r.prefix, tenant)
}

// channel is the pub/sub channel carrying {tenant, version} after each commit.
func (r *Registry) channel() string { return r.prefix + "schema" }
