package webhooks

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Delivery statuses.
const (
	statusPending   = "pending"   // not tried yet (or redelivered)
	statusFailed    = "failed"    // tried, retried at next_attempt_at
	statusSucceeded = "succeeded" // a 2xx came back
	statusDead      = "dead"      // no more retries: attempts used up, 410, or the endpoint disabled
)

// maxRetryAfter caps how far a Retry-After header may push a retry.
const maxRetryAfter = 24 * time.Hour

// verdict is what an attempt means for the delivery and its endpoint.
type verdict struct {
	status  string
	wait    time.Duration // until the next attempt (failed only)
	gone    bool          // 410: disable the endpoint now
	success bool
}

// verdict judges an outcome: 2xx succeeds, 410 disables, anything else is retried
// with backoff (or after Retry-After) until the attempts are used up.
func (s *Service) verdict(j job, o outcome) verdict {
	switch {
	case o.status >= 200 && o.status < 300:
		return verdict{status: statusSucceeded, success: true}
	case o.status == 410:
		return verdict{status: statusDead, gone: true}
	case j.attempts+1 >= s.opts.MaxAttempts:
		return verdict{status: statusDead}
	case o.retryAfter > 0:
		return verdict{status: statusFailed, wait: o.retryAfter}
	}
	return verdict{status: statusFailed, wait: s.backoff(j.attempts + 1)}
}

// backoff is the wait after the n-th failed attempt: the schedule's entry with ±20% jitter.
func (s *Service) backoff(n int) time.Duration {
	d := s.opts.Backoff[min(n, len(s.opts.Backoff))-1]
	return time.Duration(float64(d) * (0.8 + 0.4*rand.Float64()))
}

// finishSQL logs the attempt and moves the delivery on, if this worker still holds its
// lease, and hands the record's next delivery to the worker when this one is finished;
// the %s are the SET list and extra condition of the endpoint's update. It answers
// whether the endpoint is now disabled, and the handed-off job (NULLs when none).
const finishSQL = `WITH a AS (
	INSERT INTO forma.webhook_attempts (delivery_id, status_code, latency_ms, response_body, error)
	VALUES ($1, $2, $3, $4, $5)
), d AS (
	UPDATE forma.webhook_deliveries SET status = $6, attempts = attempts + 1,
		next_attempt_at = now() + $7 * interval '1 microsecond', last_status = $2, last_error = $5, updated_at = now()
	WHERE id = $1 AND lease = $8
	RETURNING id, subscription_id, ordering_key, status
), endpoint AS (
	UPDATE forma.webhook_subscriptions s SET %s FROM d WHERE s.id = d.subscription_id%s RETURNING s.enabled
), ` + handOff + `
SELECT COALESCE(NOT (SELECT enabled FROM endpoint), false), ` + jobColumns + `
FROM (SELECT 1) AS one LEFT JOIN (n AS ` + jobFrom + `) ON true`

// closeSQL closes a delivery whose endpoint is disabled, without an attempt, and hands
// on the record's next delivery (which will be closed the same way).
var closeSQL = `WITH d AS (
	UPDATE forma.webhook_deliveries SET status = 'dead', last_error = $3, updated_at = now()
	WHERE id = $1 AND lease = $2
	RETURNING id, subscription_id, ordering_key, status
), ` + strings.ReplaceAll(handOff, "$9", "$4") + `
SELECT false, ` + jobColumns + ` FROM (SELECT 1) AS one LEFT JOIN (n AS ` + jobFrom + `) ON true`

// Updates of the endpoint after an attempt. $10 is the reason it would be disabled;
// $11 and $12 (failure only) are Options.DisableAfter and FailingFor in microseconds.
const (
	onSuccess = `failures = 0, failing_since = NULL`
	onGone    = `failures = s.failures + 1, enabled = false, disabled_reason = $10, updated_at = now()`
	onFailure = `failures = s.failures + 1, failing_since = COALESCE(s.failing_since, now()),
		enabled = s.enabled AND NOT (s.failures + 1 >= $11 AND COALESCE(s.failing_since, now()) <= now() - $12 * interval '1 microsecond'),
		disabled_reason = CASE WHEN s.enabled AND s.failures + 1 >= $11
			AND COALESCE(s.failing_since, now()) <= now() - $12 * interval '1 microsecond' THEN $10 ELSE s.disabled_reason END`
)

// finish records an attempt's outcome and returns the record's next delivery when it
// was handed to this worker; on a stopped context it gives up (the lease expires).
func (s *Service) finish(ctx context.Context, j job, o outcome, v verdict) (next job, ok bool) {
	var disabled bool
	var n nullJob
	dest := append([]any{&disabled}, n.dest()...)
	lease := s.opts.Lease.Microseconds()
	if o.status == 0 && !v.success && !j.enabled {
		err := s.db.QueryRowContext(ctx, closeSQL, j.id, j.lease, o.err, lease).Scan(dest...)
		s.logFinish(ctx, j, err)
		return n.job()
	}
	var status any
	if o.status != 0 {
		status = o.status
	}
	args := []any{j.id, status, o.latency.Milliseconds(), o.body, o.err, v.status, v.wait.Microseconds(), j.lease, lease}
	set, where := onSuccess, " AND s.failures > 0" // no write (and no row lock) when there is no streak
	switch {
	case v.gone:
		set, where, args = onGone, "", append(args, "the endpoint answered 410 Gone")
	case !v.success:
		reason := fmt.Sprintf("disabled after %d consecutive failed attempts", s.opts.DisableAfter)
		set, where, args = onFailure, "", append(args, reason, s.opts.DisableAfter, s.opts.FailingFor.Microseconds())
	}
	err := s.db.QueryRowContext(ctx, fmt.Sprintf(finishSQL, set, where), args...).Scan(dest...)
	if disabled {
		s.view.invalidate()
	}
	s.logFinish(ctx, j, err)
	next, ok = n.job()
	next.enabled = next.enabled && !disabled
	return next, ok && err == nil
}

func (s *Service) logFinish(ctx context.Context, j job, err error) {
	if err != nil && ctx.Err() == nil {
		s.opts.Logger.Warn("webhooks: record attempt", "delivery", j.id, "err", err)
	}
}
