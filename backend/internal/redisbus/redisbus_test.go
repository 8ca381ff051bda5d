package redisbus_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/redisbus"
)

var quiet = slog.New(slog.DiscardHandler)

func newRedis(tb testing.TB, name string) *redis.Client {
	url := os.Getenv("TEST_REDIS_URL")
	if url == "" {
		url = "redis://127.0.0.1:6379/0"
	}
	opt, err := redis.ParseURL(url)
	if err != nil {
		tb.Fatal(err)
	}
	opt.ClientName = name
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		c.Close()
		tb.Skipf("no Redis at %s: %v", url, err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

func channel() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return "forma_test_" + hex.EncodeToString(b[:])
}

func eventually(tb testing.TB, timeout time.Duration, what string, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("%s: not within %s", what, timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

// recorder counts what a Listener hands its owner.
type recorder struct {
	subscribed, failed atomic.Int64
	payloads           chan string
}

func (r *recorder) config(ch string) redisbus.Config {
	return redisbus.Config{Channel: ch, Logger: quiet, Name: "test", WhileLost: "waiting",
		Subscribed: func() { r.subscribed.Add(1) },
		Message:    func(_ context.Context, p string) { r.payloads <- p },
		Failed:     func(error) { r.failed.Add(1) }}
}

func TestMessagesArriveInOrderOnceSubscribed(t *testing.T) {
	t.Parallel()
	ch, rec := channel(), &recorder{payloads: make(chan string, 10)}
	l := redisbus.New(newRedis(t, ch+"-listener"), rec.config(ch))
	if l.Live() {
		t.Fatal("live before Start")
	}
	l.Start(context.Background())
	l.Start(context.Background()) // a second Start does nothing
	t.Cleanup(l.Close)
	eventually(t, 5*time.Second, "subscribed", l.Live)
	if n := rec.subscribed.Load(); n != 1 {
		t.Fatalf("Subscribed called %d times, want 1", n)
	}
	pub := newRedis(t, ch+"-publisher")
	for _, p := range []string{"a", "b", "c"} {
		pub.Publish(context.Background(), ch, p)
	}
	var got []string
	for range 3 {
		select {
		case p := <-rec.payloads:
			got = append(got, p)
		case <-time.After(5 * time.Second):
			t.Fatalf("got %v, then nothing", got)
		}
	}
	if strings.Join(got, "") != "abc" {
		t.Fatalf("payloads %v, want a b c", got)
	}
}

// A lost connection is an error, then a new subscription: its owner hears both.
func TestALostConnectionIsResubscribed(t *testing.T) {
	t.Parallel()
	ch, rec := channel(), &recorder{payloads: make(chan string, 10)}
	name := ch + "-listener"
	l := redisbus.New(newRedis(t, name), rec.config(ch))
	l.Start(context.Background())
	t.Cleanup(l.Close)
	eventually(t, 5*time.Second, "subscribed", l.Live)
	admin := newRedis(t, ch+"-admin")
	killPubSub(t, admin, name)
	eventually(t, 5*time.Second, "resubscribed", func() bool {
		return rec.subscribed.Load() >= 2 && rec.failed.Load() >= 1 && l.Live()
	})
}

// killPubSub closes the pub/sub connection of the client named name.
func killPubSub(t *testing.T, admin *redis.Client, name string) {
	t.Helper()
	list, err := admin.ClientList(context.Background()).Result()
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(list, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.Contains(line, " name="+name+" ") {
			continue
		}
		id := strings.TrimPrefix(fields[0], "id=")
		n, err := admin.Do(context.Background(), "CLIENT", "KILL", "ID", id, "TYPE", "pubsub").Int()
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			return
		}
	}
	t.Fatalf("no pub/sub connection named %s", name)
}

func TestCloseStopsAndAnUnreachableRedisIsNotLive(t *testing.T) {
	t.Parallel()
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	rec := &recorder{payloads: make(chan string, 1)}
	l := redisbus.New(dead, rec.config(channel()))
	l.Start(context.Background())
	eventually(t, 2*time.Second, "two failures", func() bool { return rec.failed.Load() >= 2 })
	if l.Live() || rec.subscribed.Load() != 0 {
		t.Fatalf("live %v, subscribed %d times with Redis unreachable", l.Live(), rec.subscribed.Load())
	}
	done := make(chan struct{})
	go func() { l.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
}
