package registry_test

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/registry"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

func TestPublishDropsOtherReplicaAtOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, p := newMemSource(), testPrefix(t)
	src.set(1, 1, event())
	a := replica(t, src, p, p+"a", registry.WithWindow(time.Hour))
	b := replica(t, src, p, p+"b", registry.WithWindow(time.Hour))
	mustGet(t, a, 1)
	mustGet(t, b, 1)
	if st := b.Stats(); st.RedisLoads != 1 || src.snapshotN.Load() != 1 {
		t.Fatalf("cold B did not fill from Redis: %+v, %d snapshots", st, src.snapshotN.Load())
	}
	for v := int64(2); v <= 20; v++ {
		before := b.Stats().Invalidations
		src.set(1, v, event(fmt.Sprintf("f%d", v)))
		start := time.Now()
		if err := a.Published(ctx, tenant(1), v, []schema.Model{event(fmt.Sprintf("f%d", v))}, nil); err != nil {
			t.Fatal(err)
		}
		eventually(t, time.Second, func() bool { return b.Stats().Invalidations > before })
		if d := time.Since(start); d > 50*time.Millisecond {
			t.Errorf("v%d: B dropped its entry after %s", v, d)
		}
		s := mustGet(t, b, 1)
		if s.Version != v || len(s.Models[0].Fields) != 5 {
			t.Fatalf("B serves v%d, want v%d", s.Version, v)
		}
	}
	if n := src.snapshotN.Load(); n != 1 {
		t.Fatalf("B went to Postgres: %d snapshots", n)
	}
}

// killPubSub kills the pub/sub connection of the client named name, and only it.
func killPubSub(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	c := newRedis(t, "killer")
	list, err := c.Do(ctx, "CLIENT", "LIST", "TYPE", "pubsub").Text()
	if err != nil {
		t.Fatal(err)
	}
	killed := 0
	for _, line := range strings.Split(list, "\n") {
		fields := strings.Fields(line)
		if len(fields) == 0 || !strings.Contains(line, " name="+name+" ") {
			continue
		}
		id := strings.TrimPrefix(fields[0], "id=")
		if err := c.Do(ctx, "CLIENT", "KILL", "ID", id, "TYPE", "pubsub").Err(); err != nil {
			t.Fatal(err)
		}
		killed++
	}
	if killed != 1 {
		t.Fatalf("killed %d pub/sub connections named %s, want 1", killed, name)
	}
}

func TestResubscribeDropsCache(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, p := newMemSource(), testPrefix(t)
	src.set(1, 1, event())
	src.set(2, 1, event())
	b := replica(t, src, p, p+"b", registry.WithWindow(time.Hour))
	mustGet(t, b, 1)
	mustGet(t, b, 2)
	// A change whose notice B never hears: committed, in Redis, not published.
	src.set(1, 2, event("note"))
	snap, _ := json.Marshal(map[string]any{"tenant": 1, "version": 2, "models": []schema.Model{event("note")}})
	c := newRedis(t, p+"writer")
	c.Set(ctx, p+"snap:1:2", snap, time.Minute)
	c.Set(ctx, p+"v:1", 2, time.Minute)
	if s := mustGet(t, b, 1); s.Version != 1 {
		t.Fatalf("B saw v%d before any hint", s.Version)
	}
	drops := b.Stats().Drops
	start := time.Now()
	killPubSub(t, p+"b")
	eventually(t, 5*time.Second, func() bool { return b.Stats().Drops > drops && b.Healthy() })
	t.Logf("resubscribed and dropped the cache %s after the kill", time.Since(start))
	if s := mustGet(t, b, 1); s.Version != 2 || len(s.Models[0].Fields) != 5 {
		t.Fatalf("after resubscribe B serves v%d", s.Version)
	}
	if st := b.Stats(); st.Entries != 1 || st.RedisErrors == 0 {
		t.Fatalf("stats %+v", st)
	}
}

func TestRedisDownServesFromSource(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newMemSource()
	src.set(1, 1, event())
	dead := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 100 * time.Millisecond, MaxRetries: -1})
	t.Cleanup(func() { dead.Close() })
	r := registry.New(src, registry.WithRedis(dead), registry.WithWindow(50*time.Millisecond))
	r.Start(ctx)
	t.Cleanup(r.Close)
	start := time.Now()
	if s := mustGet(t, r, 1); s.Version != 1 {
		t.Fatalf("v%d", s.Version)
	}
	if d := time.Since(start); d > 50*time.Millisecond {
		t.Errorf("cold Get with Redis down took %s", d)
	}
	src.set(1, 2, event("note"))
	if err := r.Published(ctx, tenant(1), 2, []schema.Model{event("note")}, nil); err == nil {
		t.Fatal("Published with Redis down reported no error")
	}
	if s := mustGet(t, r, 1); s.Version != 2 {
		t.Fatalf("after Published: v%d", s.Version)
	}
	src.set(1, 3, event("note", "more")) // another replica's change: the window covers it
	time.Sleep(60 * time.Millisecond)
	if s := mustGet(t, r, 1); s.Version != 3 {
		t.Fatalf("past the window: v%d", s.Version)
	}
	eventually(t, 2*time.Second, func() bool { return r.Stats().RedisErrors >= 2 })
	if st := r.Stats(); st.Healthy || st.Mode != "redis" || st.LastError == "" {
		t.Fatalf("stats %+v", st)
	}
}

func TestLostPublishHealsWithinWindow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, p := newMemSource(), testPrefix(t)
	src.set(1, 1, event())
	a := replica(t, src, p, p+"a", registry.WithWindow(time.Hour))
	b := replica(t, src, p, p+"b", registry.WithWindow(100*time.Millisecond))
	mustGet(t, a, 1) // from Postgres: v1 snapshot and hint now in Redis
	// The engine committed v2 and crashed before publishing.
	src.set(1, 2, event("note"))
	if s := mustGet(t, b, 1); s.Version != 2 {
		t.Fatalf("cold B: v%d, want v2: Postgres names the version, not the stale hint", s.Version)
	}
	// B raised the hint and told everyone: A drops its v1 at once.
	eventually(t, time.Second, func() bool { return a.Stats().Invalidations > 0 })
	if s := mustGet(t, a, 1); s.Version != 2 || a.Stats().RedisLoads != 1 {
		t.Fatalf("A: v%d, %+v", s.Version, a.Stats())
	}
	if v, _ := newRedis(t, p+"r").Get(ctx, p+"v:1").Int64(); v != 2 {
		t.Fatalf("hint = %d", v)
	}
}

func TestRolesReachOtherReplicaWithTheirVersion(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src, p := newMemSource(), testPrefix(t)
	src.set(1, 1, event())
	a := replica(t, src, p, p+"a", registry.WithWindow(time.Hour))
	b := replica(t, src, p, p+"b", registry.WithWindow(time.Hour))
	if s := mustGet(t, b, 1); s.Roles == nil || len(s.Roles) != 0 {
		t.Fatalf("a set without roles has Roles %v, want an empty map", s.Roles)
	}
	viewer := &access.Stored{Description: "reads events", Permissions: map[string]map[access.Action]*access.StoredRule{
		"event": {access.List: {Fields: &access.Fields{All: true}, Filter: []access.Condition{
			{Field: "country", Lookup: "in", Values: []any{access.Variable{Var: "country"}, "PL"}}}}}}}
	src.set(1, 2, event())
	if err := a.Published(ctx, tenant(1), 2, []schema.Model{event()}, map[string]*access.Stored{"viewer": viewer}); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, func() bool { return b.Stats().Invalidations > 0 })
	s := mustGet(t, b, 1)
	got := s.Roles["viewer"]
	if s.Version != 2 || got == nil || got.Description != "reads events" || got.Permissions["event"][access.List] == nil {
		t.Fatalf("B serves v%d with roles %+v", s.Version, s.Roles)
	}
	if n := src.snapshotN.Load(); n != 1 {
		t.Fatalf("B went to Postgres: %d snapshots", n)
	}
	// The replica that published holds the roles as B read them from Redis.
	if mine := mustGet(t, a, 1); !reflect.DeepEqual(mine.Roles, s.Roles) {
		t.Fatalf("A holds %#v, B %#v", mine.Roles["viewer"].Permissions["event"][access.List].Filter,
			s.Roles["viewer"].Permissions["event"][access.List].Filter)
	}
}
