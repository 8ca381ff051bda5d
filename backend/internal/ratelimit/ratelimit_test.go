package ratelimit

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"io"
	"log/slog"
	"net"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// sharedRedis is the Redis the tests share (TEST_REDIS_URL, else the local default),
// and a random prefix for this test's keys.
func sharedRedis(t testing.TB) (*redis.Client, string) {
	t.Helper()
	u := os.Getenv("TEST_REDIS_URL")
	if u == "" {
		u = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	t.Cleanup(func() { _ = rdb.Close() })
	if err := rdb.Ping(context.Background()).Err(); err != nil {
		t.Fatalf("redis at %s: %v", u, err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	return rdb, "forma-ratelimit-test-" + hex.EncodeToString(b[:]) + ":"
}

// closedRedis is a client of a port nothing listens on.
func closedRedis(t *testing.T) *redis.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	rdb := redis.NewClient(&redis.Options{Addr: addr, DialerRetries: 1, MaxRetries: -1})
	t.Cleanup(func() { _ = rdb.Close() })
	return rdb
}

// burst counts n events of key and returns how many were allowed, and the last result.
func burst(l *Limiter, key string, lim Limit, n int) (allowed int, last Result) {
	for range n {
		last = l.Allow(context.Background(), key, lim)
		if last.Allowed {
			allowed++
		}
	}
	return allowed, last
}

func TestAllowRefusesPastTheBurstAndSaysWhenToRetry(t *testing.T) {
	t.Parallel()
	rdb, prefix := sharedRedis(t)
	lim := Limit{Burst: 3, Rate: 1, Period: time.Minute}
	for name, o := range map[string]Options{
		"redis":      {Redis: rdb, Prefix: prefix, Logger: quiet},
		"in process": {Logger: quiet},
		"redis down": {Redis: closedRedis(t), Logger: quiet},
	} {
		l := New(o)
		allowed, last := burst(l, "k", lim, 20)
		if allowed != 3 || last.Allowed || last.RetryAfter <= 0 || last.RetryAfter > time.Minute {
			t.Errorf("%s: %d of 20 allowed, last %+v; want 3, then refusals with a retry within a minute", name, allowed, last)
		}
		if d, ok := l.Blocked("k"); !ok || d <= 0 {
			t.Errorf("%s: a refused key is not blocked: %v %v", name, d, ok)
		}
		if _, ok := l.Blocked("other"); ok {
			t.Errorf("%s: a key never counted is blocked", name)
		}
		if allowed, _ := burst(l, "other", lim, 3); allowed != 3 {
			t.Errorf("%s: another key got %d of its 3", name, allowed)
		}
	}
}

// Two replicas share one Redis: what one counted, the other sees.
func TestReplicasShareTheCountThroughRedis(t *testing.T) {
	t.Parallel()
	rdb, prefix := sharedRedis(t)
	lim := Limit{Burst: 4, Rate: 1, Period: time.Minute}
	a, b := New(Options{Redis: rdb, Prefix: prefix, Logger: quiet}), New(Options{Redis: rdb, Prefix: prefix, Logger: quiet})
	if n, _ := burst(a, "k", lim, 3); n != 3 {
		t.Fatalf("a: %d of 3 allowed", n)
	}
	n, last := burst(b, "k", lim, 5)
	if n != 1 || !last.Blocked && last.Allowed {
		t.Fatalf("b after a used 3 of 4: %d allowed, last %+v; want 1", n, last)
	}
}

// Blocked marks only the first refusal of a burst, so that a caller logs once per burst.
func TestOnlyTheFirstRefusalOfABurstIsMarkedBlocked(t *testing.T) {
	t.Parallel()
	l := New(Options{Logger: quiet})
	lim := Limit{Burst: 2, Rate: 1, Period: time.Minute}
	marked := 0
	for range 50 {
		if l.Allow(context.Background(), "k", lim).Blocked {
			marked++
		}
	}
	if marked != 1 {
		t.Fatalf("%d refusals marked as the start of a burst, want 1", marked)
	}
}

// Every key is kept in a bounded LRU: a flood of distinct keys does not grow memory.
func TestKeysKeptInProcessAreBounded(t *testing.T) {
	t.Parallel()
	l := New(Options{MaxKeys: 100, Logger: quiet})
	lim := Limit{Burst: 1, Rate: 1, Period: time.Minute}
	for i := range 5000 {
		burst(l, "k"+strconv.Itoa(i), lim, 2)
	}
	if n := l.local.Len(); n != 100 {
		t.Fatalf("%d keys kept, want the bound 100", n)
	}
}

func TestADisabledLimitAllowsEverything(t *testing.T) {
	t.Parallel()
	l := New(Options{Logger: quiet})
	if n, _ := burst(l, "k", Limit{}, 1000); n != 1000 {
		t.Fatalf("%d of 1000 allowed by the zero limit", n)
	}
}

func TestPolicyAndHeader(t *testing.T) {
	t.Parallel()
	lim := Limit{Burst: 10, Rate: 1, Period: time.Second}
	if got := lim.Policy("auth"); got != `"auth";q=10;w=10` {
		t.Errorf("Policy = %s", got)
	}
	if got := (Result{RetryAfter: 1500 * time.Millisecond}).Header("auth"); got != `"auth";r=0;t=2` {
		t.Errorf("Header = %s", got)
	}
}
