package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/webhooks"
)

// fixed is a catalog compiled once, so benchmarks measure the write, not the catalog.
type fixed struct{ ts *records.Tables }

func (f fixed) Get(context.Context, tenantref.Ref, int64) (*records.Tables, error) { return f.ts, nil }
func (f fixed) Reload(context.Context, tenantref.Ref) (*records.Tables, error)     { return f.ts, nil }

func benchStack(b *testing.B) *stack {
	s := newStack(b, fast())
	ts, err := catalog{s.db}.Get(context.Background(), s.tenant, 0)
	if err != nil {
		b.Fatal(err)
	}
	s.recs.Catalog = fixed{ts}
	return s
}

// counter is a local receiver that answers 204 and counts.
func counter(b *testing.B) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	b.Cleanup(srv.Close)
	return srv, &n
}

// BenchmarkCreate is the rate of single-record creates through records.Service, with
// nobody listening (committed in groups, as shipped, or each alone) and with one
// subscriber (the outbox rows, no dispatcher running).
func BenchmarkCreate(b *testing.B) {
	for _, c := range []struct {
		name            string
		subscribers     int
		separateCommits bool
	}{
		{"subscribers=0", 0, false},
		{"subscribers=0,separate_commits", 0, true},
		{"subscribers=1", 1, false},
	} {
		b.Run(c.name, func(b *testing.B) {
			s := benchStack(b)
			s.recs.SeparateCommits = c.separateCommits
			if c.subscribers > 0 {
				s.subscribe("http://127.0.0.1:1/", recordEvents)
			}
			var seq atomic.Int64
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					body := []map[string]any{{"code": fmt.Sprint("c", seq.Add(1)), "value": json.Number("1")}}
					if _, err := s.recs.Create(context.Background(), s.tenant, records.Caller{}, "event", body, 0); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "creates/s")
		})
	}
}

// BenchmarkDeliveries is the dispatch rate to a local receiver: b.N events written
// first, then the time for the workers to deliver them all. records=all gives every
// event its own record (creates); records=100 spreads the events over 100 records
// (a create, then updates), so each record has about b.N/100 events to deliver in turn.
func BenchmarkDeliveries(b *testing.B) {
	for _, c := range []struct {
		workers int
		records string
	}{{4, "all"}, {16, "all"}, {4, "100"}} {
		b.Run(fmt.Sprintf("workers=%d,records=%s", c.workers, c.records), func(b *testing.B) {
			s := benchStack(b)
			srv, n := counter(b)
			s.subscribe(srv.URL, recordEvents)
			want := int64(max(b.N, 2))
			if c.records == "all" {
				writeCreates(b, s, int(want))
			} else {
				writeUpdates(b, s, 100, int(want))
			}
			o := fast()
			o.Workers = c.workers
			b.ResetTimer()
			stop := s.run(o)
			for n.Load() < want {
				time.Sleep(time.Millisecond)
			}
			b.StopTimer()
			stop()
			b.ReportMetric(float64(want)/b.Elapsed().Seconds(), "deliveries/s")
		})
	}
}

// writeCreates writes n record.created events, in bulk creates of up to 1000.
func writeCreates(b *testing.B, s *stack, n int) {
	for done := 0; done < n; done += 1000 {
		var bodies []map[string]any
		for i := done; i < min(done+1000, n); i++ {
			bodies = append(bodies, map[string]any{"code": fmt.Sprint("c", i)})
		}
		if _, err := s.recs.Create(context.Background(), s.tenant, records.Caller{}, "event", bodies, 0); err != nil {
			b.Fatal(err)
		}
	}
}

// writeUpdates creates records and writes n events in all: their creates, then
// record.updated events of them in turn, emitted straight into the outbox.
func writeUpdates(b *testing.B, s *stack, count, n int) {
	ctx := context.Background()
	var bodies []map[string]any
	for i := range count {
		bodies = append(bodies, map[string]any{"code": fmt.Sprint("c", i)})
	}
	res, err := s.recs.Create(ctx, s.tenant, records.Caller{}, "event", bodies, 0)
	if err != nil {
		b.Fatal(err)
	}
	var recs []*records.Record
	for i := count; i < n; i++ {
		recs = append(recs, res.Records[i%count])
	}
	tx, err := s.recs.DB.Begin(ctx)
	if err != nil {
		b.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if err := s.hooks.Emit(ctx, tx, s.tenant.ID, "event", webhooks.RecordUpdated, 1, recs); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(ctx); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkWakeLatency is the time from a write's commit to its delivery with an idle
// dispatcher whose poll interval is 10s: the LISTEN/NOTIFY wake-up path alone.
func BenchmarkWakeLatency(b *testing.B) {
	s := benchStack(b)
	srv, n := counter(b)
	s.subscribe(srv.URL, recordEvents)
	o := fast()
	o.Poll = 10 * time.Second
	s.run(o)
	time.Sleep(200 * time.Millisecond) // LISTEN is in place
	b.ResetTimer()
	for i := range b.N {
		if _, err := s.create(fmt.Sprintf(`{"code":"w%d"}`, i)); err != nil {
			b.Fatal(err)
		}
		for n.Load() < int64(i+1) {
			time.Sleep(50 * time.Microsecond)
		}
	}
}
