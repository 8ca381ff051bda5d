// Package changes streams the record changes of a tenant's models to clients (Server-Sent
// Events, httpapi/changes.go): a log written in each change's transaction, kept only for
// models that have a live feed (a lease), read once per model and replica on each wake
// and fanned out to that replica's streams, each filtered and trimmed with the list
// path's own SQL and the caller's get rule. docs/realtime.md has the design.
package changes

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"forma.dev/backend/internal/records"
)

// Postgres channels: changesChannel carries "<tenant id>/<model>" when a change commits;
// feedsChannel says a feed started, so every replica's write path logs it at once.
const (
	changesChannel = "forma_changes"
	feedsChannel   = "forma_change_feeds"
)

// Options tune a Service; the zero value of each field takes its default.
type Options struct {
	// Retention is how long changes can be resumed (FORMA_CHANGES_RETENTION, default 1h):
	// the log keeps a change this long, and a feed stays leased this long after its last
	// stream closed.
	Retention time.Duration
	// Heartbeat is the interval of a stream's keep-alive comment (default 15s).
	Heartbeat time.Duration
	// Buffer is how many events a stream may have unsent before it is ended as too slow
	// (default 1000).
	Buffer int
	// MaxStreams bounds the streams open on this replica (default 10000): past it, 503.
	MaxStreams int
	// MaxStreamsPerTenant bounds one tenant's streams on this replica (default 100): past it, 429.
	MaxStreamsPerTenant int
	// Poll is how often a feed looks for changes without a notice while this replica's
	// LISTEN connection is down (default 2s): a notice lost costs at most this much
	// latency, never an event. While it listens, a feed still looks every 15 Polls.
	Poll time.Duration
	// Refresh is how often the write path's view of the leased feeds is reloaded (default
	// 500ms); the view is trusted for twice that, and a model's first stream waits three
	// times that before it opens (lease.go).
	Refresh time.Duration
	// Batch is the most changes a feed reads at once (default 500).
	Batch  int
	Logger *slog.Logger // nil: discard
}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.Retention, time.Hour)
	def(&o.Heartbeat, 15*time.Second)
	def(&o.Poll, 2*time.Second)
	def(&o.Refresh, 500*time.Millisecond)
	if o.Buffer <= 0 {
		o.Buffer = 1000
	}
	if o.MaxStreams <= 0 {
		o.MaxStreams = 10_000
	}
	if o.MaxStreamsPerTenant <= 0 {
		o.MaxStreamsPerTenant = 100
	}
	if o.Batch <= 0 {
		o.Batch = 500
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return o
}

// feedKey names a feed: one model of one tenant.
type feedKey struct {
	tenant int64
	model  string
}

// Service logs the changes of leased feeds (records.Events) and fans them out to this
// replica's streams.
type Service struct {
	pool *pgxpool.Pool
	opts Options

	leases atomic.Pointer[leaseView] // what the write path logs (lease.go)
	reload chan struct{}             // asks the lease view to reload now
	// listening: the LISTEN connection is up, so every committed change wakes its feed.
	listening atomic.Bool

	mu        sync.Mutex
	feeds     map[feedKey]*feed // feeds with streams on this replica
	streams   int
	perTenant map[int64]int // entries only for tenants with streams: bounded by MaxStreams
}

var _ records.Events = (*Service)(nil)

// New returns the change streams' service on pool; Run starts its background work.
func New(pool *pgxpool.Pool, o Options) *Service {
	return &Service{pool: pool, opts: o.withDefaults(), reload: make(chan struct{}, 1),
		feeds: map[feedKey]*feed{}, perTenant: map[int64]int{}}
}

// Options returns the options in force, defaults filled in.
func (s *Service) Options() Options { return s.opts }

// Streams is how many streams are open on this replica (the gauge forma_change_streams).
func (s *Service) Streams() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.streams
}

// Feeds is how many feeds this replica reads.
func (s *Service) Feeds() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.feeds)
}

// Run listens for notices, keeps the lease view fresh, refreshes the leases of this
// replica's feeds and sweeps the log, until ctx is done; then it ends every stream
// (endAll).
func (s *Service) Run(ctx context.Context) {
	var wg sync.WaitGroup
	for _, f := range []func(context.Context){s.listen, s.keepLeaseView, s.maintain} {
		wg.Add(1)
		go func() { defer wg.Done(); f(ctx) }()
	}
	wg.Wait()
	s.endAll()
}

// endAll ends every stream with event end, {"reason":"shutdown"} and the position to
// resume from (on another replica, or this one once it is back). The server's shutdown
// does not wait for streams: their connections are no longer net/http's
// (httpapi/changes_conn.go).
func (s *Service) endAll() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.feeds {
		f.mu.Lock()
		for st := range f.streams {
			f.endLocked(st, Event{Name: EventEnd, ID: position(f.key, st.cursor), Data: []byte(`{"reason":"shutdown"}`)})
		}
		f.mu.Unlock()
	}
}
