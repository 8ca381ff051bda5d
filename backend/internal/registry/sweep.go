package registry

import (
	"context"
	"time"
)

// sweepTimeout bounds one sweep's query: past it, entries fall back to their own checks.
const sweepTimeout = 5 * time.Second

// sweep keeps the entries in use within their window with one query for all of them:
// every half window it reads the versions of the tenants used since the last sweep and
// extends each entry that is still current. With thousands of active tenants, a check
// of its own per tenant per window would be a query for most requests; an entry the
// sweep misses (Postgres away, a tenant not used lately) is checked on its own, as before.
func (r *Registry) sweep(ctx context.Context) {
	if r.window/2 <= 0 {
		return // every use checks its version
	}
	t := time.NewTicker(r.window / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			sctx, cancel := context.WithTimeout(ctx, min(sweepTimeout, r.window/2))
			r.sweepOnce(sctx)
			cancel()
		}
	}
}

// sweepOnce re-checks the versions of the entries used since the last sweep.
func (r *Registry) sweepOnce(ctx context.Context) {
	start := r.now()
	r.mu.Lock()
	used := make(map[int64]*Set)
	r.cache.Range(func(id int64, e *entry) {
		if e.used {
			used[id], e.used = e.set, false
		}
	})
	r.mu.Unlock()
	if len(used) == 0 {
		return
	}
	ids := make([]int64, 0, len(used))
	for id := range used {
		ids = append(ids, id)
	}
	versions, err := r.src.Versions(ctx, ids)
	if err != nil {
		r.log.Debug("model cache: sweep failed; entries are checked one by one", "err", err)
		return
	}
	r.stats.sweeps.Add(1)
	// A change committed after start is in the next sweep's answer, within half a window
	// of it: no entry extended here outlives the window after a change it has not seen.
	checkAt := start.Add(r.window)
	r.mu.Lock()
	defer r.mu.Unlock()
	for id, s := range used {
		e, ok := r.cache.Peek(id)
		if v, known := versions[id]; ok && known && e.set == s && v == s.Version && e.checkAt.Before(checkAt) {
			e.checkAt = checkAt
		}
	}
}
