package registry

import (
	"context"
	"strconv"
	"time"

	"forma.dev/backend/internal/tenantref"
)

// loadTimeout bounds one shared load, whoever waits for it.
const loadTimeout = 30 * time.Second

// Get returns the tenant's models at its current schema version: from memory while the
// entry is within its window, else after checking the version in Postgres, loading a
// missing set from Redis (a snapshot of that version) or from Postgres. Concurrent calls
// for one tenant share one load. Redis trouble never fails Get.
func (r *Registry) Get(ctx context.Context, t tenantref.Ref) (*Set, error) {
	if s, fresh := r.lookup(t.ID); fresh {
		r.stats.hits.Add(1)
		return s, nil
	}
	return r.do(ctx, "g", t, r.refresh)
}

// Fresh returns the tenant's models at minVersion or later when Postgres has them
// (read-your-writes: a client names the version its change returned). The set's Version
// is below minVersion only when Postgres has no such version yet.
func (r *Registry) Fresh(ctx context.Context, t tenantref.Ref, minVersion int64) (*Set, error) {
	s, err := r.Get(ctx, t)
	if err != nil || s.Version >= minVersion {
		return s, err
	}
	return r.atLeast(ctx, t, minVersion)
}

// Verify re-checks the tenant's version in Postgres now, and loads the models if they
// changed. The data API calls it before refusing a field the cached model lacks.
func (r *Registry) Verify(ctx context.Context, t tenantref.Ref) (*Set, error) {
	r.stats.checks.Add(1)
	v, err := r.src.Version(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if s, _ := r.lookup(t.ID); s != nil && s.Version == v {
		return s, nil
	}
	return r.atLeast(ctx, t, v)
}

// atLeast loads from Postgres, sharing a load in flight; if that load began before
// version v committed, it loads once more on its own.
func (r *Registry) atLeast(ctx context.Context, t tenantref.Ref, v int64) (*Set, error) {
	s, err := r.do(ctx, "p", t, r.fromPostgres)
	if err != nil || s.Version >= v {
		return s, err
	}
	return r.fromPostgres(ctx, t, r.seq.Load())
}

// Reload drops the tenant's entry and loads its models from Postgres. The data API calls
// it when a statement fails on a missing table or column (SQLSTATE 42P01, 42703), then
// retries once.
func (r *Registry) Reload(ctx context.Context, t tenantref.Ref) (*Set, error) {
	r.mu.Lock()
	if r.cache.Remove(t.ID) {
		r.stats.invalidations.Add(1)
	}
	r.mu.Unlock()
	return r.do(ctx, "p", t, r.fromPostgres)
}

// do runs load once for all concurrent callers with the same kind and tenant; each
// caller stops waiting when its own ctx ends, the load goes on for the others.
func (r *Registry) do(ctx context.Context, kind string, t tenantref.Ref,
	load func(context.Context, tenantref.Ref, uint64) (*Set, error)) (*Set, error) {
	seq := r.seq.Load() // before the load: an invalidation during it makes it suspect
	ch := r.flight.DoChan(kind+strconv.FormatInt(t.ID, 10)+":"+t.Schema, func() (any, error) {
		lctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), loadTimeout)
		defer cancel()
		return load(lctx, t, seq)
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return nil, res.Err
		}
		return res.Val.(*Set), nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// refresh serves a miss or an entry past its window.
func (r *Registry) refresh(ctx context.Context, t tenantref.Ref, seq uint64) (*Set, error) {
	cached, fresh := r.lookup(t.ID)
	if fresh {
		r.stats.hits.Add(1)
		return cached, nil
	}
	if cached == nil {
		r.stats.misses.Add(1)
		if !r.redisUsable() {
			return r.fromPostgres(ctx, t, seq)
		}
		// Postgres names the version, not Redis's hint: the hint lags behind a commit
		// whose publish was lost (Redis away, a crash), and a cold replica trusting it
		// would use a model older than the window allows.
		v, err := r.src.Version(ctx, t.ID)
		if err != nil {
			return nil, err
		}
		return r.load(ctx, t, v, seq)
	}
	r.stats.checks.Add(1)
	v, err := r.src.Version(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	if v == cached.Version {
		return r.store(cached, seq), nil
	}
	r.stats.misses.Add(1)
	return r.load(ctx, t, v, seq)
}

// lookup returns the tenant's cached set, if any, and whether it is within its window.
func (r *Registry) lookup(tenant int64) (*Set, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	e, ok := r.cache.Get(tenant)
	if !ok {
		return nil, false
	}
	e.used = true
	return e.set, r.now().Before(e.checkAt)
}

// load fills a set of version want from its Redis snapshot, else from Postgres.
func (r *Registry) load(ctx context.Context, t tenantref.Ref, want int64, seq uint64) (*Set, error) {
	if r.redisUsable() {
		s, err := r.fromRedis(ctx, t, want)
		if err != nil {
			r.redisFailed(err)
		} else if s != nil {
			r.stats.redisLoads.Add(1)
			return r.store(s, seq), nil
		}
	}
	return r.fromPostgres(ctx, t, seq)
}

// fromPostgres loads the tenant's current snapshot from the truth, caches it and shares
// it through Redis.
func (r *Registry) fromPostgres(ctx context.Context, t tenantref.Ref, seq uint64) (*Set, error) {
	v, models, roles, err := r.src.Snapshot(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	s, err := compile(t, v, models, roles)
	if err != nil {
		return nil, err
	}
	r.stats.pgLoads.Add(1)
	if r.redisUsable() {
		if err := r.share(ctx, t.ID, v, models, roles, false); err != nil {
			r.redisFailed(err)
		}
	}
	return r.store(s, seq), nil
}

// store caches s unless a newer set is cached, and returns the cached one. When an
// invalidation arrived since seq was read, the entry is re-checked on its next use.
func (r *Registry) store(s *Set, seq uint64) *Set {
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.cache.Get(s.Tenant); ok && e.set != s && e.set.Version > s.Version {
		return e.set
	}
	checkAt := r.now().Add(r.window)
	if r.seq.Load() != seq {
		checkAt = time.Time{}
	}
	if r.cache.Put(s.Tenant, &entry{set: s, checkAt: checkAt, used: true}) {
		r.stats.evictions.Add(1)
	}
	return s
}
