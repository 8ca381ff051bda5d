package webhooks

import (
	"context"
	"time"
)

// pruneLock is the advisory lock that keeps pruning to one replica at a time ("whprune").
const pruneLock int64 = 0x77687072756e65

// pruneBatch bounds the rows one pruning statement deletes.
const pruneBatch = 5000

// pruneSQL deletes, in batches, attempts older than the retention ($1 µs) and events
// older than it whose deliveries are all finished (their deliveries go with them).
var pruneSQL = []string{
	`DELETE FROM forma.webhook_attempts WHERE id IN (SELECT id FROM forma.webhook_attempts
		WHERE at < now() - $1 * interval '1 microsecond' LIMIT $2)`,
	`DELETE FROM forma.webhook_events WHERE id IN (SELECT e.id FROM forma.webhook_events e
		WHERE e.created_at < now() - $1 * interval '1 microsecond' AND NOT EXISTS (
			SELECT 1 FROM forma.webhook_deliveries d WHERE d.event_id = e.id AND d.status IN ('pending', 'failed'))
		LIMIT $2)`,
}

// pruneLoop prunes once a minute after start, then every Options.PruneEvery.
func (s *Service) pruneLoop(ctx context.Context) {
	timer := time.NewTimer(min(time.Minute, s.opts.PruneEvery))
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		if n, err := s.Prune(ctx); err != nil && ctx.Err() == nil {
			s.opts.Logger.Warn("webhooks: prune", "err", err)
		} else if n > 0 {
			s.opts.Logger.Info("webhooks: pruned old attempts and events", "rows", n)
		}
		timer.Reset(s.opts.PruneEvery)
	}
}

// Prune deletes attempts and finished events older than Options.Retention and returns
// how many rows it deleted; it does nothing while another replica prunes.
func (s *Service) Prune(ctx context.Context) (int64, error) {
	var total int64
	for _, q := range pruneSQL {
		for {
			n, locked, err := s.pruneOnce(ctx, q)
			total += n
			if err != nil || !locked {
				return total, err
			}
			if n < pruneBatch {
				break
			}
		}
	}
	return total, nil
}

// pruneOnce runs one batch in a transaction holding the pruning lock.
func (s *Service) pruneOnce(ctx context.Context, q string) (n int64, locked bool, err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return 0, false, err
	}
	defer func() { _ = tx.Rollback() }()
	if err := tx.QueryRowContext(ctx, "SELECT pg_try_advisory_xact_lock($1)", pruneLock).Scan(&locked); err != nil || !locked {
		return 0, false, err
	}
	res, err := tx.ExecContext(ctx, q, s.opts.Retention.Microseconds(), pruneBatch)
	if err != nil {
		return 0, true, err
	}
	n, _ = res.RowsAffected()
	return n, true, tx.Commit()
}
