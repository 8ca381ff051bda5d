package ratelimit

import (
	"context"
	"math"
	"time"

	"github.com/go-redis/redis_rate/v10"
)

// AllowLeased counts one event of key against lim as Allow does, but takes up to batch
// events at a time from Redis (redis_rate's AllowAtMost) and spends them here without
// asking Redis again, so that a busy key costs one round trip per batch instead of one
// per event. Events taken and not spent are dropped once batch events would have
// refilled, so a replica cannot hoard them: the replicas together never exceed lim, and
// a replica that leased tokens it did not use makes the others slightly stricter, not
// looser. batch 1 or less (or no Redis) is Allow.
func (l *Limiter) AllowLeased(ctx context.Context, key string, lim Limit, batch int) Result {
	if !lim.Enabled() {
		return Result{Allowed: true, Remaining: math.MaxInt32}
	}
	if l.rl == nil || batch <= 1 {
		return l.Allow(ctx, key, lim)
	}
	if d, ok := l.Blocked(key); ok {
		return Result{RetryAfter: d}
	}
	now := l.now()
	l.mu.Lock()
	if e := l.entry(key); e.leased > 0 && now.Before(e.leaseEnd) {
		e.leased--
		rem := e.leased + e.redisRemaining
		l.mu.Unlock()
		return Result{Allowed: true, Remaining: rem}
	}
	l.mu.Unlock()
	res, err := l.lease(ctx, key, lim, batch)
	if err != nil {
		res = l.allowLocal(key, lim)
	}
	if !res.Allowed {
		res.Blocked = l.block(key, res.RetryAfter)
	}
	return res
}

// lease takes up to batch events of key from Redis, spends one and keeps the rest.
func (l *Limiter) lease(ctx context.Context, key string, lim Limit, batch int) (Result, error) {
	now := l.now()
	if now.UnixNano() < l.redisDown.Load() {
		return Result{}, errRedisDown
	}
	batch = min(batch, lim.Burst)
	r, err := l.rl.AllowAtMost(ctx, l.prefix+key, redis_rate.Limit{Rate: lim.Rate, Burst: lim.Burst, Period: lim.Period}, batch)
	if err := l.noteRedis(now, err); err != nil {
		return Result{}, err
	}
	if r.Allowed < 1 {
		return Result{RetryAfter: max(r.RetryAfter, 0)}, nil
	}
	l.mu.Lock()
	e := l.entry(key)
	e.leased, e.redisRemaining = r.Allowed-1, r.Remaining
	e.leaseEnd = now.Add(time.Duration(r.Allowed) * lim.Period / time.Duration(lim.Rate))
	l.mu.Unlock()
	return Result{Allowed: true, Remaining: r.Remaining + r.Allowed - 1}, nil
}
