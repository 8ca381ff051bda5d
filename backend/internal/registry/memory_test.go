package registry_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/registry"
	"forma.dev/shared/schema"
)

func TestColdGetLoadsOnce(t *testing.T) {
	t.Parallel()
	src := newMemSource()
	src.set(1, 1, event())
	src.delay = 50 * time.Millisecond
	r := registry.New(src)
	var wg sync.WaitGroup
	sets := make([]*registry.Set, 32)
	for i := range sets {
		wg.Go(func() { sets[i] = mustGet(t, r, 1) })
	}
	wg.Wait()
	if n := src.snapshotN.Load(); n != 1 {
		t.Fatalf("snapshot loaded %d times, want 1", n)
	}
	for _, s := range sets {
		if s != sets[0] {
			t.Fatal("concurrent callers got different sets")
		}
	}
	if _, ok := sets[0].Table("event"); !ok || sets[0].Version != 1 || sets[0].Schema != "t_1" {
		t.Fatalf("set = %+v", sets[0])
	}
}

func TestWindowBoundsStaleness(t *testing.T) {
	t.Parallel()
	src := newMemSource()
	src.set(1, 1, event())
	r := registry.New(src, registry.WithWindow(100*time.Millisecond))
	mustGet(t, r, 1)
	src.set(1, 2, event("note")) // committed, never published
	if s := mustGet(t, r, 1); s.Version != 1 {
		t.Fatalf("within the window: version %d, want the cached 1", s.Version)
	}
	time.Sleep(110 * time.Millisecond)
	s := mustGet(t, r, 1)
	if s.Version != 2 {
		t.Fatalf("past the window: version %d, want 2", s.Version)
	}
	time.Sleep(110 * time.Millisecond)
	mustGet(t, r, 1) // unchanged: one cheap version check, no load
	if st := r.Stats(); st.Checks != 2 || st.PostgresLoads != 2 || src.snapshotN.Load() != 2 {
		t.Fatalf("stats %+v, snapshots %d", st, src.snapshotN.Load())
	}
}

func TestLRUEvictsBeyondBound(t *testing.T) {
	t.Parallel()
	src := newMemSource()
	for id := int64(1); id <= 5; id++ {
		src.set(id, 1, event())
	}
	r := registry.New(src, registry.WithSize(3), registry.WithWindow(time.Hour))
	for _, id := range []int64{1, 2, 3, 1, 4, 5} { // 2 and 3 are the least recently used
		mustGet(t, r, id)
	}
	if st := r.Stats(); st.Entries != 3 || st.Evictions != 2 || st.Misses != 5 {
		t.Fatalf("stats %+v", st)
	}
	mustGet(t, r, 1) // kept
	if n := src.snapshotN.Load(); n != 5 {
		t.Fatalf("tenant 1 reloaded: %d snapshots", n)
	}
	mustGet(t, r, 2) // evicted
	if n := src.snapshotN.Load(); n != 6 {
		t.Fatalf("tenant 2 not reloaded: %d snapshots", n)
	}
}

func TestFreshVerifyReload(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newMemSource()
	src.set(1, 1, event())
	r := registry.New(src, registry.WithWindow(time.Hour))
	mustGet(t, r, 1)
	src.set(1, 2, event("note"))
	if s, _ := r.Fresh(ctx, tenant(1), 1); s.Version != 1 {
		t.Fatalf("Fresh(1) = v%d, want the cached v1", s.Version)
	}
	s, err := r.Fresh(ctx, tenant(1), 2)
	if err != nil || s.Version != 2 {
		t.Fatalf("Fresh(2) = %v, %v", s, err)
	}
	src.set(1, 3, event("note", "more"))
	if s, _ := r.Verify(ctx, tenant(1)); s.Version != 3 {
		t.Fatalf("Verify = v%d, want 3", s.Version)
	}
	if s, _ := r.Verify(ctx, tenant(1)); s.Version != 3 || src.snapshotN.Load() != 3 {
		t.Fatalf("Verify unchanged reloaded: v%d, %d snapshots", s.Version, src.snapshotN.Load())
	}
	if s, _ := r.Reload(ctx, tenant(1)); s.Version != 3 || src.snapshotN.Load() != 4 {
		t.Fatalf("Reload: v%d, %d snapshots", s.Version, src.snapshotN.Load())
	}
}

func TestPublishedServesAtOnceWithoutRedis(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	src := newMemSource()
	src.set(1, 1, event())
	r := registry.New(src, registry.WithWindow(time.Hour))
	mustGet(t, r, 1)
	src.set(1, 2, event("note"))
	if err := r.Published(ctx, tenant(1), 2, []schema.Model{event("note")}, nil); err != nil {
		t.Fatal(err)
	}
	s := mustGet(t, r, 1)
	if s.Version != 2 || len(s.Tables["event"].Model.Fields) != 5 || src.snapshotN.Load() != 1 {
		t.Fatalf("after Published: v%d, %d snapshots", s.Version, src.snapshotN.Load())
	}
	if st := r.Stats(); st.Mode != "memory" || !st.Healthy {
		t.Fatalf("stats %+v", st)
	}
}
