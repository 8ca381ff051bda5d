package changes

import (
	"context"
)

// sweepSQL deletes the changes older than the resume window ($1 seconds), moves each
// feed's since past the ones it lost (a model's, and its tenant's whole feed), and ends the leases that lapsed. A client resuming
// from a position before since is told to reload.
const sweepSQL = `WITH d AS (
	DELETE FROM forma.changes WHERE at < now() - make_interval(secs => $1) RETURNING tenant_id, model, id
), m AS (
	SELECT tenant_id, model, max(id) AS id FROM d GROUP BY tenant_id, model
	UNION ALL
	SELECT tenant_id, '` + tenantFeed + `', max(id) FROM d GROUP BY tenant_id -- the tenant's whole feed lost them too
), up AS (
	UPDATE forma.change_feeds f SET since = m.id FROM m
	WHERE f.tenant_id = m.tenant_id AND f.model = m.model AND f.since < m.id
	RETURNING 1
)
DELETE FROM forma.change_feeds WHERE until < now()`

// Sweep deletes the changes past the resume window now.
func (s *Service) Sweep(ctx context.Context) error {
	_, err := s.pool.Exec(ctx, sweepSQL, s.opts.Retention.Seconds())
	return err
}
