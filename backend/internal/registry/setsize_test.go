package registry_test

import (
	"runtime"
	"strconv"
	"testing"

	"forma.dev/backend/internal/registry"
)

// TestMemoryPerCachedTenant reports what one tenant with the Event model costs the
// model cache (the figure the README gives), and fails if it grows past a bound.
func TestMemoryPerCachedTenant(t *testing.T) {
	const n = 2000
	src := newMemSource()
	for id := int64(1); id <= n; id++ {
		src.set(id, 1, event())
	}
	r := registry.New(src, registry.WithSize(n))
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for id := int64(1); id <= n; id++ {
		mustGet(t, r, id)
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	per := (after.HeapAlloc - before.HeapAlloc) / n
	t.Logf("one cached tenant with the Event model: %d bytes (%d tenants: %s KiB)", per, n, strconv.FormatUint((after.HeapAlloc-before.HeapAlloc)/1024, 10))
	if per > 64<<10 {
		t.Fatalf("%d bytes per cached tenant, more than 64 KiB", per)
	}
	runtime.KeepAlive(r)
}
