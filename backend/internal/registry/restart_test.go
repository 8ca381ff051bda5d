package registry_test

import (
	"context"
	"net"
	"os/exec"
	"strconv"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/registry"
	"forma.dev/shared/schema"
)

// privateRedis starts a redis-server of the test's own on a free port and returns its
// address and a function that stops it; the test skips when there is no redis-server.
func privateRedis(t *testing.T, port string) func() {
	t.Helper()
	bin, err := exec.LookPath("redis-server")
	if err != nil {
		t.Skip("no redis-server on PATH")
	}
	cmd := exec.Command(bin, "--port", port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	stop := func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }
	t.Cleanup(stop)
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port})
	defer c.Close()
	eventually(t, 5*time.Second, func() bool { return c.Ping(context.Background()).Err() == nil })
	return stop
}

func freePort(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return strconv.Itoa(l.Addr().(*net.TCPAddr).Port)
}

func TestRedisRestartMidRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	port := freePort(t)
	stop := privateRedis(t, port)
	src := newMemSource()
	src.set(1, 1, event())
	newReplica := func() *registry.Registry {
		c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:" + port, DialTimeout: 200 * time.Millisecond})
		t.Cleanup(func() { c.Close() })
		r := registry.New(src, registry.WithRedis(c), registry.WithWindow(200*time.Millisecond),
			registry.WithLogger(quiet))
		r.Start(ctx)
		t.Cleanup(r.Close)
		eventually(t, 5*time.Second, r.Healthy)
		return r
	}
	a, b := newReplica(), newReplica()
	mustGet(t, a, 1)
	mustGet(t, b, 1)

	stop() // Redis goes away: both keep serving, and say so
	eventually(t, 5*time.Second, func() bool { return !a.Healthy() && !b.Healthy() })
	src.set(1, 2, event("note"))
	if err := a.Published(ctx, tenant(1), 2, []schema.Model{event("note")}, nil); err == nil {
		t.Fatal("Published to a stopped Redis reported no error")
	}
	if s := mustGet(t, a, 1); s.Version != 2 {
		t.Fatalf("A after its own change: v%d", s.Version)
	}
	time.Sleep(210 * time.Millisecond) // B never heard: its window covers the change
	if s := mustGet(t, b, 1); s.Version != 2 {
		t.Fatalf("B past its window with Redis down: v%d", s.Version)
	}

	privateRedis(t, port) // back, empty: both resubscribe and drop their caches
	drops := b.Stats().Drops
	eventually(t, 10*time.Second, func() bool { return a.Healthy() && b.Healthy() && b.Stats().Drops > drops })
	if s := mustGet(t, b, 1); s.Version != 2 || b.Stats().Entries != 1 {
		t.Fatalf("B after the restart: v%d, %+v", s.Version, b.Stats())
	}
}
