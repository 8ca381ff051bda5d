package ratelimit

import (
	"time"

	"golang.org/x/time/rate"
)

// allowLocal counts the event in this process's limiter of key.
func (l *Limiter) allowLocal(key string, lim Limit) Result {
	now := l.now()
	every := rate.Every(lim.Period / time.Duration(lim.Rate))
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key)
	if e.lim == nil || e.lim.Burst() != lim.Burst || e.lim.Limit() != every {
		e.lim = rate.NewLimiter(every, lim.Burst)
	}
	r := e.lim.ReserveN(now, 1)
	if d := r.DelayFrom(now); !r.OK() || d > 0 {
		r.CancelAt(now)
		return Result{RetryAfter: max(d, time.Millisecond)}
	}
	return Result{Allowed: true, Remaining: int(e.lim.TokensAt(now))}
}

// entry is what the process keeps of one key: its fallback limiter and until when it is
// refused.
type entry struct {
	lim          *rate.Limiter // nil until the key is counted in process
	blockedUntil time.Time
	leased       int       // events taken from Redis and not spent yet (AllowLeased)
	leaseEnd     time.Time // when the unspent ones are dropped
	// redisRemaining is what Redis had left when the lease was taken, for Remaining.
	redisRemaining int
}

// entry returns the entry of key, made if missing, and marks it used. The caller holds mu.
func (l *Limiter) entry(key string) *entry {
	if e, ok := l.local.Get(key); ok {
		return e
	}
	e := &entry{}
	l.local.Put(key, e)
	return e
}
