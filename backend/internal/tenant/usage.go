package tenant

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/lru"
	"forma.dev/backend/internal/tenantref"
)

// Usage is what a tenant's schema holds, as Postgres estimates it.
type Usage struct {
	// Rows is each table's row estimate (pg_class.reltuples; -1 until the table was
	// first vacuumed or analyzed), by table name.
	Rows map[string]int64
	// StorageBytes is the size of every table of the schema with its indexes and TOAST
	// (pg_total_relation_size).
	StorageBytes int64
	// MeasuredAt is when Postgres was asked; answers are cached for UsageTTL.
	MeasuredAt time.Time
}

// UsageTTL is how long a tenant's measured usage is reused.
const UsageTTL = 10 * time.Second

// maxUsage bounds the usage cache; past it the tenant asked least recently goes.
const maxUsage = 1000

// usageSQL measures a schema's tables in one statement, from the catalog only: no
// table is scanned.
const usageSQL = `SELECT c.relname, c.reltuples::bigint, pg_total_relation_size(c.oid)
FROM pg_class AS c JOIN pg_namespace AS n ON n.oid = c.relnamespace
WHERE n.nspname = ? AND c.relkind IN ('r', 'p', 'm')`

// usageCache keeps measured usage by tenant id.
// MeasureTimeout bounds one measurement of a tenant's usage, which every request
// sharing it waits for.
const MeasureTimeout = 10 * time.Second

type usageCache struct {
	mu sync.Mutex
	c  *lru.Cache[int64, Usage] // guarded by mu
}

// Usage measures t's schema, or returns what was measured less than UsageTTL ago.
func (s *Service) Usage(ctx context.Context, t tenantref.Ref) (Usage, error) {
	return s.UsageWithin(ctx, t, UsageTTL)
}

// UsageWithin measures t's schema, or returns what was measured less than maxAge ago.
func (s *Service) UsageWithin(ctx context.Context, t tenantref.Ref, maxAge time.Duration) (Usage, error) {
	now := time.Now()
	s.usage.mu.Lock()
	u, ok := s.usage.c.Get(t.ID)
	s.usage.mu.Unlock()
	if ok && now.Sub(u.MeasuredAt) < maxAge {
		return u, nil
	}
	// Concurrent requests of one tenant measure it once, so the measure must not end
	// with the request that started it: another may be waiting for it.
	v, err, _ := s.measuring.Do(strconv.FormatInt(t.ID, 10), func() (any, error) {
		mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), MeasureTimeout)
		defer cancel()
		return s.measure(mctx, t, now)
	})
	if err != nil {
		return Usage{}, err
	}
	return v.(Usage), nil
}

// measure reads t's usage from the catalog and caches it.
func (s *Service) measure(ctx context.Context, t tenantref.Ref, now time.Time) (Usage, error) {
	rows, err := s.db.QueryContext(ctx, usageSQL, t.Schema)
	if err != nil {
		return Usage{}, err
	}
	defer rows.Close()
	u := Usage{Rows: map[string]int64{}, MeasuredAt: now}
	for rows.Next() {
		var name string
		var n, size int64
		if err := rows.Scan(&name, &n, &size); err != nil {
			return Usage{}, err
		}
		u.Rows[name] = n
		u.StorageBytes += size
	}
	if err := rows.Err(); err != nil {
		return Usage{}, err
	}
	s.usage.mu.Lock()
	s.usage.c.Put(t.ID, u)
	s.usage.mu.Unlock()
	return u, nil
}

// UsageCached is how many tenants' usage is cached now (a gauge in /metrics).
func (s *Service) UsageCached() int {
	s.usage.mu.Lock()
	defer s.usage.mu.Unlock()
	return s.usage.c.Len()
}

// CountRows counts the rows of t's table, but no more than bound: it reads at most
// bound rows, so a count against a small quota stays cheap on a table of any size.
func (s *Service) CountRows(ctx context.Context, t tenantref.Ref, table string, bound int64) (int64, error) {
	var n int64
	err := s.db.QueryRowContext(ctx, "SELECT count(*) FROM (SELECT 1 FROM ?.? LIMIT ?) AS r",
		bun.Ident(t.Schema), bun.Ident(table), bound).Scan(&n)
	return n, err
}
