package ratelimit

import (
	"context"
	"testing"
	"time"
)

// Replicas that lease batches never allow more together than the limit, and a lease
// takes its batch from Redis at once: what one replica holds, the other cannot have.
func TestLeasedBatchesShareTheLimitExactly(t *testing.T) {
	t.Parallel()
	rdb, prefix := sharedRedis(t)
	lim := Limit{Burst: 20, Rate: 1, Period: time.Minute}
	a, b := New(Options{Redis: rdb, Prefix: prefix, Logger: quiet}), New(Options{Redis: rdb, Prefix: prefix, Logger: quiet})
	ctx := context.Background()
	if r := a.AllowLeased(ctx, "k", lim, 5); !r.Allowed || r.Remaining != 19 {
		t.Fatalf("a's first event: %+v, want allowed with 19 remaining (4 leased here, 15 in Redis)", r)
	}
	if r := b.Allow(ctx, "k", lim); !r.Allowed || r.Remaining != 14 {
		t.Fatalf("b after a leased 5: %+v, want 14 remaining in Redis", r)
	}
	allowed := 2 // a's first, b's first
	for range 30 {
		for _, l := range []*Limiter{a, b} {
			if l.AllowLeased(ctx, "k", lim, 5).Allowed {
				allowed++
			}
		}
	}
	if allowed != 20 {
		t.Fatalf("a and b allowed %d together, want the limit's 20", allowed)
	}
}

// Leased events not spent in the time they take to refill are dropped, not kept.
func TestUnspentLeasesAreDropped(t *testing.T) {
	t.Parallel()
	rdb, prefix := sharedRedis(t)
	lim := Limit{Burst: 10, Rate: 1, Period: time.Minute}
	a, b := New(Options{Redis: rdb, Prefix: prefix, Logger: quiet}), New(Options{Redis: rdb, Prefix: prefix, Logger: quiet})
	ctx := context.Background()
	a.AllowLeased(ctx, "k", lim, 5) // 4 held by a, 5 left in Redis
	clock := time.Now().Add(6 * time.Minute)
	a.now = func() time.Time { return clock }
	if !a.AllowLeased(ctx, "k", lim, 5).Allowed {
		t.Fatal("a's second lease was refused")
	}
	// Redis's own clock has not moved: a's second lease took what was left, so the
	// first lease's 4 unspent events are gone rather than spent on top of it.
	if r := b.Allow(ctx, "k", lim); r.Allowed {
		t.Fatalf("b was allowed an event after a leased everything: %+v", r)
	}
}

// BenchmarkAllow measures one event of a busy key under a limit it never reaches: in
// process, one Redis round trip each, and leased from Redis in batches of 50,000 (a twentieth of the rate, as httpapi takes).
func BenchmarkAllow(b *testing.B) {
	rdb, prefix := sharedRedis(b)
	lim := Limit{Burst: 1_000_000, Rate: 1_000_000, Period: 100 * time.Millisecond} // room to spare: never refused
	ctx := context.Background()
	for _, v := range []struct {
		name  string
		l     *Limiter
		batch int
	}{
		{"memory", New(Options{Logger: quiet}), 1},
		{"redis", New(Options{Redis: rdb, Prefix: prefix, Logger: quiet}), 1},
		{"redis-leased", New(Options{Redis: rdb, Prefix: prefix, Logger: quiet}), 50_000},
	} {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				if r := v.l.AllowLeased(ctx, v.name, lim, v.batch); !r.Allowed {
					b.Fatalf("refused: %+v", r)
				}
			}
		})
	}
}
