// Package ratelimit counts events per key against a GCRA limit (a burst, refilled at a
// steady rate), shared by every replica through Redis (github.com/go-redis/redis_rate),
// or in process when Redis is absent or down (golang.org/x/time/rate, one limiter per
// key in a bounded LRU).
//
// A key found over its limit is also remembered in process until it may try again, so
// that while it is refused, asking costs neither a Redis round trip nor a lock on the
// shared state beyond one atomic load when nothing at all is refused.
package ratelimit

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/lru"
)

// Limit allows Burst events at once, refilled at Rate events per Period. The zero
// Limit (or any with Burst or Rate below 1) allows everything.
type Limit struct {
	Burst  int
	Rate   int
	Period time.Duration
}

// Enabled reports whether l limits anything.
func (l Limit) Enabled() bool { return l.Burst > 0 && l.Rate > 0 && l.Period > 0 }

// Window is how long an empty bucket takes to fill up to Burst again, in whole seconds
// (at least 1): the "w" of the RateLimit-Policy header.
func (l Limit) Window() int {
	if !l.Enabled() {
		return 0
	}
	return max(1, int(math.Ceil(float64(l.Burst)*l.Period.Seconds()/float64(l.Rate))))
}

// Policy is the RateLimit-Policy header value for l under name (IETF draft
// httpapi-ratelimit-headers): quota q events in window w seconds.
func (l Limit) Policy(name string) string {
	return strconv.Quote(name) + ";q=" + strconv.Itoa(l.Burst) + ";w=" + strconv.Itoa(l.Window())
}

func (l Limit) String() string { return fmt.Sprintf("%d per %s (burst %d)", l.Rate, l.Period, l.Burst) }

// Result is the outcome of one Allow.
type Result struct {
	Allowed    bool
	Remaining  int           // events still allowed at once after this one
	RetryAfter time.Duration // when refused: how long until one event is allowed again
	// Blocked is true for the call that found the key over its limit while it was not
	// known to be: the first refusal of a burst, the one to log.
	Blocked bool
}

// Header is the RateLimit header value for r under name: r remaining, t seconds until
// the next event is allowed.
func (r Result) Header(name string) string {
	return strconv.Quote(name) + ";r=" + strconv.Itoa(max(r.Remaining, 0)) + ";t=" + strconv.Itoa(Seconds(r.RetryAfter))
}

// Seconds rounds d up to whole seconds, at least 1: a Retry-After value.
func Seconds(d time.Duration) int { return max(1, int((d+time.Second-1)/time.Second)) }

// Options configures a Limiter.
type Options struct {
	// Redis shares the counts among replicas; nil counts in process only.
	Redis *redis.Client
	// Prefix starts every Redis key (after redis_rate's own "rate:"), e.g. FORMA_REDIS_PREFIX.
	Prefix string
	// MaxKeys bounds the keys kept in process, for the fallback and for refusals
	// (default 10,000); the least recently used go first.
	MaxKeys int
	// Logger hears when Redis fails and when it answers again (default slog.Default()).
	Logger *slog.Logger
}

// redisRetry is how long the Limiter counts in process after a Redis error before it
// tries Redis again, so that a Redis that is down costs one failed call per period.
const redisRetry = time.Second

// Limiter counts events per key. It is safe for concurrent use.
type Limiter struct {
	rl     *redis_rate.Limiter // nil without Redis
	prefix string
	log    *slog.Logger
	now    func() time.Time

	mu    sync.Mutex
	local *lru.Cache[string, *entry] // guarded by mu
	// blockedUntil is the latest time any key is refused until (Unix nanoseconds): past
	// it, Blocked answers without taking mu.
	blockedUntil atomic.Int64
	redisDown    atomic.Int64 // Unix nanoseconds until which Redis is not tried
}

// New returns a Limiter configured by o.
func New(o Options) *Limiter {
	if o.MaxKeys <= 0 {
		o.MaxKeys = 10_000
	}
	l := &Limiter{prefix: o.Prefix, log: o.Logger, now: time.Now, local: lru.New[string, *entry](o.MaxKeys)}
	if l.log == nil {
		l.log = slog.Default()
	}
	if o.Redis != nil {
		l.rl = redis_rate.NewLimiter(o.Redis)
	}
	return l
}

// Blocked reports whether key was refused and may not try again yet, and for how long,
// without counting anything: no Redis, and no lock while no key is refused at all.
func (l *Limiter) Blocked(key string) (time.Duration, bool) {
	now := l.now()
	if now.UnixNano() >= l.blockedUntil.Load() {
		return 0, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if e, ok := l.local.Peek(key); ok && now.Before(e.blockedUntil) {
		return e.blockedUntil.Sub(now), true
	}
	return 0, false
}

// Allow counts one event of key against lim. A key refused earlier is refused again at
// once until its RetryAfter has passed; otherwise the count is Redis's (shared by every
// replica) or, without a usable Redis, this process's.
func (l *Limiter) Allow(ctx context.Context, key string, lim Limit) Result {
	if !lim.Enabled() {
		return Result{Allowed: true, Remaining: math.MaxInt32}
	}
	if d, ok := l.Blocked(key); ok {
		return Result{RetryAfter: d}
	}
	res, err := l.allowRedis(ctx, key, lim)
	if err != nil || l.rl == nil {
		res = l.allowLocal(key, lim)
	}
	if !res.Allowed {
		res.Blocked = l.block(key, res.RetryAfter)
	}
	return res
}

// allowRedis counts the event in Redis; an error means: count it in process instead.
func (l *Limiter) allowRedis(ctx context.Context, key string, lim Limit) (Result, error) {
	if l.rl == nil {
		return Result{}, nil
	}
	now := l.now()
	if now.UnixNano() < l.redisDown.Load() {
		return Result{}, errRedisDown
	}
	r, err := l.rl.Allow(ctx, l.prefix+key, redis_rate.Limit{Rate: lim.Rate, Burst: lim.Burst, Period: lim.Period})
	if err := l.noteRedis(now, err); err != nil {
		return Result{}, err
	}
	return Result{Allowed: r.Allowed > 0, Remaining: r.Remaining, RetryAfter: max(r.RetryAfter, 0)}, nil
}

// noteRedis records how a Redis call went: a failure makes the limiter count in process
// for redisRetry (logged once), a success after failures is logged. It returns err.
func (l *Limiter) noteRedis(now time.Time, err error) error {
	if err != nil {
		if l.redisDown.Swap(now.Add(redisRetry).UnixNano()) == 0 {
			l.log.Warn("ratelimit: redis failed; counting in this process", "err", err)
		}
		return err
	}
	if l.redisDown.Swap(0) != 0 {
		l.log.Info("ratelimit: redis answers again")
	}
	return nil
}

// errRedisDown marks a call that skipped Redis because it failed a moment ago.
var errRedisDown = fmt.Errorf("ratelimit: redis failed less than %s ago", redisRetry)

// block remembers that key is refused for d; it reports whether it was not already.
func (l *Limiter) block(key string, d time.Duration) bool {
	d = max(d, time.Millisecond)
	now := l.now()
	until := now.Add(d)
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.entry(key)
	was := now.Before(e.blockedUntil)
	e.blockedUntil = until
	for {
		cur := l.blockedUntil.Load()
		if cur >= until.UnixNano() || l.blockedUntil.CompareAndSwap(cur, until.UnixNano()) {
			break
		}
	}
	return !was
}

// Len is how many keys the Limiter keeps in process now (at most Options.MaxKeys).
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.local.Len()
}
