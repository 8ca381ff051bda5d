package webhooks

import (
	"context"
	"database/sql"
	"errors"
	"sync"
	"time"
)

// job is one claimed delivery with what sending it needs.
type job struct {
	id, lease, eventID, subID int64
	attempts                  int
	payload                   []byte
	url                       string
	secrets                   []string
	enabled                   bool
}

// claimSQL takes the oldest due delivery nobody holds and leases it: next_attempt_at
// moves past the lease, so if this replica dies the delivery is due again then and
// another replica retries it (at least once).
const claimSQL = `WITH c AS (
	SELECT id FROM forma.webhook_deliveries
	WHERE status IN ('pending', 'failed') AND next_attempt_at <= now()
	ORDER BY next_attempt_at LIMIT 1 FOR UPDATE SKIP LOCKED
), d AS (
	UPDATE forma.webhook_deliveries w SET lease = w.lease + 1,
		next_attempt_at = now() + $1 * interval '1 microsecond'
	FROM c WHERE w.id = c.id
	RETURNING w.id, w.lease, w.event_id, w.subscription_id, w.attempts
)
SELECT d.id, d.lease, d.event_id, d.subscription_id, d.attempts, e.payload::text, s.url, s.enabled,
	s.secret, CASE WHEN s.previous_expires_at > now() THEN s.previous_secret ELSE '' END
FROM d JOIN forma.webhook_events e ON e.id = d.event_id
	JOIN forma.webhook_subscriptions s ON s.id = d.subscription_id`

// claim leases one due delivery; ok is false when none is due.
func (s *Service) claim(ctx context.Context) (j job, ok bool, err error) {
	var payload, secret, previous string
	err = s.db.QueryRowContext(ctx, claimSQL, s.opts.Lease.Microseconds()).Scan(&j.id, &j.lease, &j.eventID,
		&j.subID, &j.attempts, &payload, &j.url, &j.enabled, &secret, &previous)
	if errors.Is(err, sql.ErrNoRows) {
		return j, false, nil
	}
	if err != nil {
		return j, false, err
	}
	j.payload, j.secrets = []byte(payload), []string{secret}
	if previous != "" {
		j.secrets = append(j.secrets, previous)
	}
	return j, true, nil
}

// Run dispatches deliveries until ctx is done: Options.Workers workers, a listener that
// wakes them when an event commits, and the periodic pruning. It returns when all have
// stopped. A delivery in flight when ctx ends is abandoned; its lease expires and it is
// retried, here or by another replica.
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { s.listen(ctx) })
	wg.Go(func() { s.pruneLoop(ctx) })
	for range s.opts.Workers {
		wg.Go(func() { s.work(ctx) })
	}
	wg.Wait()
}

// work claims and sends deliveries while there are due ones, then waits for a wake-up
// or the poll interval.
func (s *Service) work(ctx context.Context) {
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.wake:
		case <-timer.C:
		}
		for ctx.Err() == nil {
			j, ok, err := s.claim(ctx)
			if err != nil {
				if ctx.Err() == nil {
					s.opts.Logger.Warn("webhooks: claim", "err", err)
				}
				break
			}
			if !ok {
				break
			}
			s.deliver(ctx, j)
		}
		timer.Reset(s.opts.Poll)
	}
}

// kick wakes every idle worker of this replica.
func (s *Service) kick() {
	for range s.opts.Workers {
		select {
		case s.wake <- struct{}{}:
		default:
			return
		}
	}
}
