package registry_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// memSource is a Source over a map, counting its calls; delay slows Snapshot down.
type memSource struct {
	mu        sync.Mutex
	versions  map[int64]int64
	models    map[int64][]schema.Model
	delay     time.Duration
	versionN  atomic.Int64
	versionsN atomic.Int64
	snapshotN atomic.Int64
}

func newMemSource() *memSource {
	return &memSource{versions: map[int64]int64{}, models: map[int64][]schema.Model{}}
}

// set makes version v with models the tenant's truth (a commit, published or not).
func (s *memSource) set(tenant, v int64, models ...schema.Model) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.versions[tenant], s.models[tenant] = v, models
}

func (s *memSource) Versions(_ context.Context, tenants []int64) (map[int64]int64, error) {
	s.versionsN.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[int64]int64{}
	for _, id := range tenants {
		if v, ok := s.versions[id]; ok {
			out[id] = v
		}
	}
	return out, nil
}

func (s *memSource) Version(_ context.Context, tenant int64) (int64, error) {
	s.versionN.Add(1)
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.versions[tenant], nil
}

func (s *memSource) Snapshot(_ context.Context, tenant int64) (int64, []schema.Model, map[string]*access.Stored, error) {
	s.snapshotN.Add(1)
	time.Sleep(s.delay)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.versions[tenant]; !ok {
		return 0, nil, nil, errors.New("no such tenant")
	}
	return s.versions[tenant], s.models[tenant], nil, nil
}

// event is the talk's Event model, plus any extra text fields.
func event(extra ...string) schema.Model {
	m := schema.Model{Name: "event", Fields: []schema.Field{
		{Name: "timestamp", Type: "datetime"},
		{Name: "country", Type: "text", Required: true, Options: map[string]any{"max_length": 3.0}},
		{Name: "source", Type: "text"},
		{Name: "value", Type: "integer"},
	}}
	for _, f := range extra {
		m.Fields = append(m.Fields, schema.Field{Name: f, Type: "text"})
	}
	return m
}

// tenant returns the registry's name for tenant id.
func tenant(id int64) tenantref.Ref {
	return tenantref.Ref{ID: id, Schema: "t_" + strconv.FormatInt(id, 10)}
}

// redisURL is the Redis the tests share: TEST_REDIS_URL, else the local default.
func redisURL() string {
	if u := os.Getenv("TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/0"
}

// newRedis returns a client named name, closed when the test ends.
func newRedis(tb testing.TB, name string) *redis.Client {
	tb.Helper()
	opt, err := redis.ParseURL(redisURL())
	if err != nil {
		tb.Fatal(err)
	}
	opt.ClientName = name
	c := redis.NewClient(opt)
	if err := c.Ping(context.Background()).Err(); err != nil {
		tb.Fatalf("redis at %s: %v (is Redis running? see README)", redisURL(), err)
	}
	tb.Cleanup(func() { c.Close() })
	return c
}

// testPrefix returns a fresh key and channel prefix; its keys are deleted at the end.
func testPrefix(tb testing.TB) string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	p := "forma_test_" + hex.EncodeToString(b[:]) + ":"
	tb.Cleanup(func() {
		c := newRedisQuiet()
		defer c.Close()
		ctx := context.Background()
		iter := c.Scan(ctx, 0, p+"*", 1000).Iterator()
		for iter.Next(ctx) {
			c.Del(ctx, iter.Val())
		}
	})
	return p
}

func newRedisQuiet() *redis.Client {
	opt, _ := redis.ParseURL(redisURL())
	return redis.NewClient(opt)
}

// replica starts a registry on its own Redis client named name, closed at the end.
func replica(tb testing.TB, src registry.Source, prefix, name string, opts ...registry.Option) *registry.Registry {
	tb.Helper()
	opts = append([]registry.Option{registry.WithRedis(newRedis(tb, name)), registry.WithPrefix(prefix),
		registry.WithLogger(quiet)}, opts...)
	r := registry.New(src, opts...)
	r.Start(context.Background())
	tb.Cleanup(r.Close)
	eventually(tb, 5*time.Second, r.Healthy)
	return r
}

// quiet discards the registry's logs in tests.
var quiet = slog.New(slog.DiscardHandler)

// eventually waits until cond holds, failing the test after timeout.
func eventually(tb testing.TB, timeout time.Duration, cond func() bool) {
	tb.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			tb.Fatalf("condition not met within %s", timeout)
		}
		time.Sleep(time.Millisecond)
	}
}

func mustGet(tb testing.TB, r *registry.Registry, id int64) *registry.Set {
	tb.Helper()
	s, err := r.Get(context.Background(), tenant(id))
	if err != nil {
		tb.Fatal(err)
	}
	return s
}
