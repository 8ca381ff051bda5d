package httpapi

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"golang.org/x/sync/singleflight"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/lru"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/tenantref"
)

// quotaAge is how old the usage a create is checked against may be: a tenant's
// storage and a model's rows are measured again, on the next create, past it.
const quotaAge = 5 * time.Second

// exactRowsUpTo is the largest row count taken exactly. A model is counted, reading at
// most min(rows_per_model, exactRowsUpTo)+1 rows, unless both its quota and Postgres's
// estimate are above it: reltuples is -1 until a table is first analyzed and lags by up
// to a tenth of the table between autovacuum's analyses, which is no answer for a quota
// of 3, and an estimate's lag is small beside a quota in the millions.
const exactRowsUpTo = 100_000

// maxQuotaTenants bounds the tenants whose usage a replica keeps for their quotas; past
// it the tenant seen least recently is forgotten and measured again when next seen.
const maxQuotaTenants = 10_000

// quotas keeps, per tenant with rows_per_model or storage_bytes, the rows of each model
// it creates records in: counted at most quotaAge ago, plus the rows this replica has
// created since.
type quotas struct {
	tenants  *tenant.Service
	mu       sync.Mutex
	entries  *lru.Cache[int64, *tenantRows] // guarded by mu
	counting singleflight.Group             // one count of a model at a time
}

// tenantRows is one tenant's models' rows.
type tenantRows struct {
	mu     sync.Mutex
	models map[string]*modelRows // guarded by mu; only tables that exist
}

// modelRows is a model's rows: counted at a time, plus those this replica is creating,
// plus those it created since the count began, less those it deleted since the count
// ended. Rows created or deleted while a count runs may be counted twice until the next
// one, which errs toward refusing, never toward letting a tenant past its quota.
type modelRows struct {
	counted, creating, added, removed int64
	at                                time.Time
}

func (m *modelRows) rows() int64 { return m.counted + m.creating + m.added - m.removed }

func newQuotas(t *tenant.Service) *quotas {
	return &quotas{tenants: t, entries: lru.New[int64, *tenantRows](maxQuotaTenants)}
}

// admitRows checks a create of n records of the request's model against the tenant's
// rows_per_model and storage_bytes (409 quota_exceeded), and holds the n rows against
// rows_per_model until the create says, through done, whether it wrote them. A tenant
// with neither limit is not measured at all.
func (a *api) admitRows(c *gin.Context, n int) (done func(created bool), err error) {
	eff := a.limitsOf(c)
	if (eff[limits.RowsPerModel] == 0 && eff[limits.StorageBytes] == 0) || a.quotas == nil {
		return noRows, nil
	}
	// A model the cached catalog lacks is measured by no one: the create answers 404, or
	// (made on another replica within the cache's window) is counted from the next one.
	if a.Records != nil {
		if ts, err := a.Records.Catalog.Get(c.Request.Context(), schemaTenant(c), 0); err != nil {
			return nil, err
		} else if _, ok := ts.ByName[c.Param("model")]; !ok {
			return noRows, nil
		}
	}
	done, err = a.quotas.admit(c.Request.Context(), schemaTenant(c), c.Param("model"), int64(n), eff)
	if err != nil && apperr.As(err) == nil && !db.Unreachable(err) {
		a.log.WarnContext(c.Request.Context(), "quota: usage not measured; refusing the create", "tenant", schemaTenant(c).ID, "err", err)
		err = &apperr.Error{Code: apperr.Unavailable, RetryAfter: time.Second, Err: err,
			Detail: "the tenant's usage could not be measured for its quotas; try again"}
	}
	return done, err
}

func noRows(bool) {}

// rowsDeleted counts a record deleted from the request's model, when its rows are kept.
func (a *api) rowsDeleted(c *gin.Context) {
	if a.quotas != nil {
		a.quotas.deleted(schemaTenant(c).ID, c.Param("model"))
	}
}

func (q *quotas) admit(ctx context.Context, t tenantref.Ref, model string, n int64, eff limits.Set) (func(bool), error) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), tenant.MeasureTimeout)
	defer cancel()
	u, err := q.tenants.UsageWithin(ctx, t, quotaAge)
	if err != nil {
		return nil, err
	}
	if max := eff[limits.StorageBytes]; max > 0 && u.StorageBytes >= max {
		return nil, limits.Exceeded(limits.StorageBytes, max, fmt.Sprintf(
			"the tenant stores %d bytes, at or over its %d (storage_bytes); delete records to create more", u.StorageBytes, max)).
			With("usage", u.StorageBytes)
	}
	max := eff[limits.RowsPerModel]
	if max == 0 {
		return noRows, nil
	}
	estimate, ok := u.Rows[model]
	if !ok { // a model made since the measure, or none: the create answers 404
		if u, err = q.tenants.UsageWithin(ctx, t, 0); err != nil {
			return nil, err
		}
		if estimate, ok = u.Rows[model]; !ok {
			q.forget(t.ID, model)
			return noRows, nil
		}
	}
	tr := q.tenant(t.ID)
	m, err := q.rows(ctx, t, tr, model, estimate, max)
	if err != nil {
		return nil, err
	}
	tr.mu.Lock()
	defer tr.mu.Unlock()
	if have := m.rows(); have+n > max {
		return nil, limits.Exceeded(limits.RowsPerModel, max, fmt.Sprintf(
			"model %q may hold at most %d records (rows_per_model); it holds %d, and this create adds %d", model, max, have, n)).
			With("usage", have)
	}
	m.creating += n
	return func(created bool) {
		tr.mu.Lock()
		m.creating -= n
		if created {
			m.added += n
		}
		tr.mu.Unlock()
	}, nil
}

// tenant returns the rows kept of tenant id, made empty if none are.
func (q *quotas) tenant(id int64) *tenantRows {
	q.mu.Lock()
	defer q.mu.Unlock()
	tr, ok := q.entries.Get(id)
	if !ok {
		tr = &tenantRows{models: map[string]*modelRows{}}
		q.entries.Put(id, tr)
	}
	return tr
}

// rows returns model's rows, counted again if the count is older than quotaAge.
func (q *quotas) rows(ctx context.Context, t tenantref.Ref, tr *tenantRows, model string, estimate, limit int64) (*modelRows, error) {
	tr.mu.Lock()
	m, ok := tr.models[model]
	if !ok {
		m = &modelRows{}
		tr.models[model] = m
	}
	fresh := ok && time.Since(m.at) < quotaAge
	tr.mu.Unlock()
	if fresh {
		return m, nil
	}
	_, err, _ := q.counting.Do(strconv.FormatInt(t.ID, 10)+"/"+model, func() (any, error) {
		tr.mu.Lock()
		start, addedBefore := time.Now(), m.added
		tr.mu.Unlock()
		n, err := q.count(ctx, t, model, estimate, limit)
		if err != nil {
			return nil, err
		}
		tr.mu.Lock()
		m.counted, m.at, m.added, m.removed = n, start, m.added-addedBefore, 0
		tr.mu.Unlock()
		return nil, nil
	})
	return m, err
}

// count is model's rows: the estimate when it and the quota are both large, an exact
// count otherwise (exactRowsUpTo).
func (q *quotas) count(ctx context.Context, t tenantref.Ref, model string, estimate, limit int64) (int64, error) {
	if limit > exactRowsUpTo && estimate > exactRowsUpTo {
		return estimate, nil
	}
	bound := min(limit, exactRowsUpTo) + 1
	n, err := q.tenants.CountRows(ctx, t, model, bound)
	if n == bound { // more than counted: the estimate may know how many
		n = max(n, estimate)
	}
	return n, err
}

// forget drops what is kept of tenant id's model, whose table is gone.
func (q *quotas) forget(id int64, model string) {
	q.mu.Lock()
	tr, ok := q.entries.Peek(id)
	q.mu.Unlock()
	if ok {
		tr.mu.Lock()
		delete(tr.models, model)
		tr.mu.Unlock()
	}
}

// deleted counts a record deleted from tenant id's model.
func (q *quotas) deleted(id int64, model string) {
	q.mu.Lock()
	tr, ok := q.entries.Peek(id)
	q.mu.Unlock()
	if !ok {
		return
	}
	tr.mu.Lock()
	if m, ok := tr.models[model]; ok {
		m.removed++
	}
	tr.mu.Unlock()
}

// len is how many tenants' rows are kept now (the gauge forma_tenant_quota_entries).
func (q *quotas) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.entries.Len()
}
