package webhooks

import (
	"context"
	"database/sql"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"forma.dev/backend/internal/wire"
)

// view is one replica's in-memory copy of every enabled subscription, so that a write
// asks "does anyone listen?" without a query. It is reloaded (one query for all tenants)
// when it is older than ttl or after a subscription changed on this replica; other
// replicas' changes are seen within ttl. Emit re-checks in SQL, so a stale "yes" costs
// a transaction and nothing else.
type view struct {
	db  *sql.DB
	ttl time.Duration

	gen  atomic.Uint64 // bumped by invalidate
	snap atomic.Pointer[snapshot]
	mu   sync.Mutex // one reload at a time
}

// snapshot is the enabled subscriptions of every tenant at one moment.
type snapshot struct {
	gen      uint64
	at       time.Time
	unknown  bool // the load failed: say yes to everything and let SQL decide
	byTenant map[int64]*tenantSubs
}

// tenantSubs is what a tenant's enabled subscriptions listen for.
type tenantSubs struct {
	slug string
	subs []filter
}

// filter is one subscription's events and models (empty: every model).
type filter struct{ events, models []string }

func newView(db *sql.DB, ttl time.Duration) *view { return &view{db: db, ttl: ttl} }

// invalidate makes the next lookup reload.
func (v *view) invalidate() { v.gen.Add(1) }

// valid is true when s may answer: loaded after the last invalidation, within ttl.
func (v *view) valid(s *snapshot) bool {
	return s != nil && s.gen == v.gen.Load() && time.Since(s.at) < v.ttl
}

// current returns a snapshot to answer from. A stale one is refreshed by one caller
// while the others keep using it; an invalidated one makes callers wait for the reload.
func (v *view) current(ctx context.Context) *snapshot {
	s := v.snap.Load()
	if v.valid(s) {
		return s
	}
	if s != nil && s.gen == v.gen.Load() {
		if !v.mu.TryLock() {
			return s // stale by at most one reload; someone is reloading it
		}
	} else {
		v.mu.Lock()
	}
	defer v.mu.Unlock()
	if s = v.snap.Load(); v.valid(s) {
		return s
	}
	s = v.load(ctx)
	v.snap.Store(s)
	return s
}

// load reads every enabled subscription with its tenant's slug.
func (v *view) load(ctx context.Context) *snapshot {
	s := &snapshot{gen: v.gen.Load(), at: time.Now(), byTenant: map[int64]*tenantSubs{}}
	rows, err := v.db.QueryContext(context.WithoutCancel(ctx), `SELECT s.tenant_id, t.slug, s.events, s.models
		FROM forma.webhook_subscriptions s JOIN forma.tenants t ON t.id = s.tenant_id WHERE s.enabled`)
	if err != nil {
		return &snapshot{gen: s.gen, unknown: true} // at is zero: the next lookup retries
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var slug string
		var f filter
		if err := rows.Scan(&id, &slug, wire.Types.SQLScanner(&f.events), wire.Types.SQLScanner(&f.models)); err != nil {
			return &snapshot{gen: s.gen, unknown: true}
		}
		ts := s.byTenant[id]
		if ts == nil {
			ts = &tenantSubs{slug: slug}
			s.byTenant[id] = ts
		}
		ts.subs = append(ts.subs, f)
	}
	if rows.Err() != nil {
		return &snapshot{gen: s.gen, unknown: true}
	}
	return s
}

// wants reports whether an enabled subscription of the tenant listens for event on any
// of models.
func (s *snapshot) wants(tenantID int64, event string, models ...string) bool {
	if s.unknown {
		return true
	}
	ts := s.byTenant[tenantID]
	if ts == nil {
		return false
	}
	for _, f := range ts.subs {
		if !slices.Contains(f.events, event) {
			continue
		}
		if len(f.models) == 0 || slices.ContainsFunc(models, func(m string) bool { return slices.Contains(f.models, m) }) {
			return true
		}
	}
	return false
}

// slug returns the tenant's slug as the view knows it ("" when it has no subscription).
func (s *snapshot) slug(tenantID int64) string {
	if ts := s.byTenant[tenantID]; ts != nil {
		return ts.slug
	}
	return ""
}
