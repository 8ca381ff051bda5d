package registry_test

import (
	"context"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/schema"
)

// reportLatencies reports the p50, p99 and max of d in microseconds.
func reportLatencies(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	at := func(q float64) float64 { return float64(d[int(q*float64(len(d)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(at(0.5), "p50-µs")
	b.ReportMetric(at(0.99), "p99-µs")
	b.ReportMetric(at(1), "max-µs")
}

// BenchmarkInvalidationLatency measures, per change, the time from the commit on replica
// A (A.Published) to replica B dropping its entry. Run with -benchtime=1000x.
func BenchmarkInvalidationLatency(b *testing.B) {
	ctx := context.Background()
	src, p := newMemSource(), testPrefix(b)
	src.set(1, 1, event())
	dropped := make(chan time.Time, 1)
	a := replica(b, src, p, p+"a", registry.WithWindow(time.Hour))
	rb := registry.New(src, registry.WithRedis(newRedis(b, p+"b")), registry.WithPrefix(p),
		registry.WithWindow(time.Hour), registry.WithLogger(quiet))
	registry.OnDrop(rb, func(int64) { dropped <- time.Now() })
	rb.Start(ctx)
	b.Cleanup(rb.Close)
	eventually(b, 5*time.Second, rb.Healthy)
	models := []schema.Model{event()}
	lat := make([]time.Duration, 0, b.N)
	for i := range b.N {
		v := int64(i + 2)
		mustGet(b, rb, 1) // B holds v-1
		src.set(1, v, models...)
		start := time.Now()
		if err := a.Published(ctx, tenant(1), v, models, nil); err != nil {
			b.Fatal(err)
		}
		select {
		case at := <-dropped:
			lat = append(lat, at.Sub(start))
		case <-time.After(5 * time.Second):
			b.Fatalf("change %d: B never dropped its entry", i)
		}
	}
	reportLatencies(b, lat)
}

// coldTenants is how many tenants the cold-start benchmark fills.
const coldTenants = 1000

// BenchmarkColdGet measures the first Get of each of 1,000 tenants on a cold replica,
// with their models (the Event model) in Postgres, from Redis and from Postgres.
func BenchmarkColdGet(b *testing.B) {
	ctx := context.Background()
	db := testdb.Open(b)
	if err := migrations.Up(ctx, db); err != nil {
		b.Fatal(err)
	}
	tenants := make([]tenantref.Ref, coldTenants)
	for i := range tenants {
		tenants[i] = seedTenant(b, db, i)
	}
	src, p := registry.MetaSource{DB: db}, testPrefix(b)
	warm := replica(b, src, p, p+"warm")
	for _, t := range tenants { // fills Redis from Postgres
		if _, err := warm.Get(ctx, t); err != nil {
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, redisToo bool, wantFrom func(registry.Stats) uint64) {
		var lat []time.Duration
		for range b.N {
			b.StopTimer()
			r := registry.New(src)
			if redisToo {
				r = replica(b, src, p, p+"cold")
			}
			b.StartTimer()
			for _, t := range tenants {
				start := time.Now()
				if _, err := r.Get(ctx, t); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			if n := wantFrom(r.Stats()); n != coldTenants {
				b.Fatalf("%d of %d loads from the expected place: %+v", n, coldTenants, r.Stats())
			}
			r.Close()
		}
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*coldTenants)/1e3, "µs/tenant")
		reportLatencies(b, lat)
	}
	b.Run("redis", func(b *testing.B) { run(b, true, func(s registry.Stats) uint64 { return s.RedisLoads }) })
	b.Run("postgres", func(b *testing.B) { run(b, false, func(s registry.Stats) uint64 { return s.PostgresLoads }) })
}

// seedTenant makes tenant i with the Event model at version 1.
func seedTenant(b *testing.B, db *bun.DB, i int) tenantref.Ref {
	t := tenantref.Ref{Schema: "t_" + strconv.Itoa(i)}
	if err := db.QueryRowContext(context.Background(), `INSERT INTO forma.tenants (slug, name, schema_name)
		VALUES (?, ?, ?) RETURNING id`, t.Schema, t.Schema, t.Schema).Scan(&t.ID); err != nil {
		b.Fatal(err)
	}
	commit(b, db, t.ID, 1, nil, event())
	return t
}

// BenchmarkMemoryPerModel measures the heap held per cached tenant with one Event model.
func BenchmarkMemoryPerModel(b *testing.B) {
	const n = 1000
	ctx := context.Background()
	var perModel float64
	for range b.N {
		r := registry.New(newMemSource(), registry.WithSize(n))
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for id := range int64(n) {
			if err := r.Published(ctx, tenant(id+1), 1, []schema.Model{event()}, nil); err != nil {
				b.Fatal(err)
			}
		}
		runtime.GC()
		runtime.ReadMemStats(&after)
		perModel = float64(after.HeapAlloc-before.HeapAlloc) / n
		runtime.KeepAlive(r)
	}
	b.ReportMetric(perModel, "B/model")
}

// BenchmarkGetHit measures the hot path: a Get served from memory.
func BenchmarkGetHit(b *testing.B) {
	src := newMemSource()
	src.set(1, 1, event())
	r := registry.New(src, registry.WithWindow(time.Hour))
	mustGet(b, r, 1)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := r.Get(context.Background(), tenant(1)); err != nil {
				b.Error(err)
			}
		}
	})
}
