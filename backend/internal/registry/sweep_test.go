package registry_test

import (
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/registry"
)

// manualClock is a clock the test moves.
type manualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *manualClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *manualClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A sweep re-checks the tenants in use in one query and keeps them within their window,
// so that they are not checked one by one; a change it sees is left for the entry's own
// check, and a tenant not used since the last sweep is not asked about.
func TestSweepKeepsTenantsInUseWithinTheirWindow(t *testing.T) {
	t.Parallel()
	src := newMemSource()
	for id := int64(1); id <= 3; id++ {
		src.set(id, 1, event())
	}
	clock := &manualClock{t: time.Unix(1_000_000, 0)}
	r := registry.New(src, registry.WithWindow(time.Second))
	registry.SetClock(r, clock.now)
	for id := int64(1); id <= 3; id++ {
		mustGet(t, r, id)
	}
	for range 10 { // ten half windows: tenants 1 and 2 in use, 3 idle
		clock.add(500 * time.Millisecond)
		registry.SweepOnce(r)
		mustGet(t, r, 1)
		mustGet(t, r, 2)
	}
	if st := r.Stats(); st.Checks != 0 || st.Sweeps != 10 || src.versionsN.Load() != 10 {
		t.Fatalf("tenants in use: %d checks one by one, %d sweeps (%d queries); want 0 and 10", st.Checks, st.Sweeps, src.versionsN.Load())
	}
	mustGet(t, r, 3) // idle for five seconds: checked on its own
	if st := r.Stats(); st.Checks != 1 {
		t.Fatalf("an idle tenant: %d checks, want 1", st.Checks)
	}

	src.set(2, 2, event("note")) // committed, never published
	clock.add(500 * time.Millisecond)
	registry.SweepOnce(r) // sees version 2: does not extend tenant 2's entry
	clock.add(600 * time.Millisecond)
	if s := mustGet(t, r, 2); s.Version != 2 {
		t.Fatalf("a window after the change: version %d, want 2", s.Version)
	}
	if s := mustGet(t, r, 1); s.Version != 1 {
		t.Fatalf("tenant 1: version %d", s.Version)
	}
}

// Start runs the sweep on its own, and Close stops it.
func TestStartSweepsAndCloseStops(t *testing.T) {
	t.Parallel()
	src := newMemSource()
	src.set(1, 1, event())
	r := registry.New(src, registry.WithWindow(20*time.Millisecond))
	r.Start(t.Context())
	deadline := time.Now().Add(10 * time.Second)
	for r.Stats().Sweeps < 2 && time.Now().Before(deadline) {
		mustGet(t, r, 1)
		time.Sleep(5 * time.Millisecond)
	}
	r.Close()
	n := src.versionsN.Load()
	if n < 2 {
		t.Fatalf("%d sweeps in 10 s", n)
	}
	time.Sleep(50 * time.Millisecond)
	if src.versionsN.Load() != n {
		t.Fatal("sweeping after Close")
	}
}
