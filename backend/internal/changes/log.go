package changes

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/records"
)

// Positions follow commit order within a feed. A position is an identity value, drawn
// before the transaction commits; were two writers of a model free to draw and commit
// in any order, a reader past position 11 could miss 10 when it commits after 11. So
// Emit takes a transaction-scoped advisory lock of the feed before drawing positions:
// a second writer of the model draws only after the first has committed (Postgres makes
// a commit visible before it releases the transaction's locks), and every position of a
// feed that a reader sees is followed only by larger ones. The cost is that writes of a
// model with a live feed serialise from their Emit (the end of their statements) to
// their commit; writes of other models, and of any model without a feed, are not
// touched. The other way, delivering only changes below the oldest running
// transaction's xid (pg_snapshot_xmin), would make every feed wait for the slowest
// transaction of the whole database, the tenant's or not.
const lockSQL = `SELECT pg_advisory_xact_lock(hashtext('forma.changes'), hashtext($1::bigint::text || '/' || $2))`

// logSQL writes the changes in order, and notifies the replicas' feeds when the
// transaction commits.
const logSQL = `WITH ins AS (
	INSERT INTO forma.changes (tenant_id, model, event, version, record)
	SELECT $1::bigint, $2::text, $3::text, $4::bigint, u.r::json FROM unnest($5::text[]) WITH ORDINALITY AS u (r, n) ORDER BY u.n
	RETURNING 1
)
SELECT pg_notify('` + changesChannel + `', $1::bigint::text || '/' || $2) FROM (SELECT 1 FROM ins LIMIT 1) AS any_change`

// Wants reports whether the model has a leased feed, from the lease view: no query.
// A view older than trustView (not reloaded: the database slow or unreachable) is not
// trusted: then every change is logged. So a write that begins trustView after a lease
// started is logged, in every replica (openLease waits that long).
func (s *Service) Wants(_ context.Context, tenantID int64, model, event string) bool {
	switch event {
	case records.EventCreated, records.EventUpdated, records.EventDeleted:
	default:
		return false
	}
	return s.logs(feedKey{tenantID, model}) || s.logs(feedKey{tenantID, tenantFeed})
}

// logs reports whether feed k is leased, from the lease view (see Wants).
func (s *Service) logs(k feedKey) bool {
	v := s.leases.Load()
	if v == nil || time.Since(v.at) > s.trustView() {
		return true
	}
	_, ok := v.keys[k]
	return ok
}

// Emit logs one change per record inside tx, under the feeds' locks (see lockSQL, locks).
func (s *Service) Emit(ctx context.Context, tx pgx.Tx, tenantID int64, model, event string, version int64, recs []*records.Record) error {
	bodies := make([]string, len(recs))
	var buf []byte
	for i, r := range recs {
		buf = r.AppendJSON(buf[:0])
		bodies[i] = string(buf)
	}
	b := &pgx.Batch{}
	for _, lock := range s.locks(tenantID, model) {
		b.Queue(lockSQL, tenantID, lock)
	}
	b.Queue(logSQL, tenantID, model, event, version, bodies)
	return tx.SendBatch(ctx, b).Close()
}

// locks are the feeds' locks a change of model takes, in this order: its own, and the
// tenant's while the tenant's whole feed is leased (its positions follow commit order
// across models). Every writer of a model takes the model's lock first, so two writers
// never wait for each other's second lock.
func (s *Service) locks(tenantID int64, model string) []string {
	if s.logs(feedKey{tenantID, tenantFeed}) {
		return []string{model, tenantFeed}
	}
	return []string{model}
}
