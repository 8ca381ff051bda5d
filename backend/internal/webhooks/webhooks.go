// Package webhooks delivers schema and record events to tenants' HTTP endpoints: signed
// by the Standard Webhooks scheme, written to a transactional outbox in the same
// transaction as the change, dispatched at least once by workers in every replica that
// claim due deliveries with FOR UPDATE SKIP LOCKED, retried with backoff, every attempt
// logged. Each endpoint gets a record's events in order (order.go).
package webhooks

import (
	"database/sql"
	"io"
	"log/slog"
	"net/http"
	"time"

	"forma.dev/backend/internal/records"
)

// Event types a subscription may ask for.
const (
	SchemaChanged = "schema.changed"
	RecordCreated = records.EventCreated
	RecordUpdated = records.EventUpdated
	RecordDeleted = records.EventDeleted
)

// EventTypes lists every event type, in the order the API documents them.
var EventTypes = []string{SchemaChanged, RecordCreated, RecordUpdated, RecordDeleted}

// notifyChannel is the Postgres channel that wakes dispatchers after a commit.
const notifyChannel = "forma_webhooks"

// Options tune a Service; the zero value of each field takes its default.
type Options struct {
	Workers      int           // dispatching goroutines per replica (default 4)
	Timeout      time.Duration // HTTP timeout of one attempt (default 10s)
	Lease        time.Duration // how long a claim holds before another replica may retry (default Timeout+20s)
	Poll         time.Duration // how often idle workers look for due retries (default 1s)
	Backoff      []time.Duration
	MaxAttempts  int           // attempts before a delivery is dead (default len(Backoff)+1)
	DisableAfter int           // consecutive failed attempts that disable an endpoint (default 50) ...
	FailingFor   time.Duration // ... once it has been failing for this long (default 24h)
	Retention    time.Duration // attempts and finished events older than this are pruned (default 7 days)
	PruneEvery   time.Duration // how often a replica prunes (default 1h)
	Refresh      time.Duration // how long the in-memory view of subscriptions is trusted (default 2s)
	RotateGrace  time.Duration // how long a rotated-out secret still signs (default 24h)
	AllowPrivate bool          // FORMA_WEBHOOK_ALLOW_PRIVATE: deliver to loopback and private addresses
	Logger       *slog.Logger  // nil: discard
	Client       *http.Client  // nil: a client with the dial-time address check
}

// DefaultBackoff is the wait after the 1st, 2nd, ... failed attempt, before jitter.
var DefaultBackoff = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute,
	10 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 8 * time.Hour}

func (o Options) withDefaults() Options {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	def(&o.Timeout, 10*time.Second)
	def(&o.Lease, o.Timeout+20*time.Second)
	def(&o.Poll, time.Second)
	def(&o.FailingFor, 24*time.Hour)
	def(&o.Retention, 7*24*time.Hour)
	def(&o.PruneEvery, time.Hour)
	def(&o.Refresh, 2*time.Second)
	def(&o.RotateGrace, 24*time.Hour)
	if len(o.Backoff) == 0 {
		o.Backoff = DefaultBackoff
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = len(o.Backoff) + 1
	}
	if o.DisableAfter <= 0 {
		o.DisableAfter = 50
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if o.Client == nil {
		o.Client = NewClient(o.Timeout, o.AllowPrivate)
	}
	return o
}

// Service stores subscriptions, writes events to the outbox and dispatches them.
type Service struct {
	db   *sql.DB
	opts Options
	view *view
	wake chan struct{}
}

var _ records.Events = (*Service)(nil)

// New returns the webhooks service on db (the pool's *sql.DB: queries use $n parameters).
func New(db *sql.DB, o Options) *Service {
	o = o.withDefaults()
	return &Service{db: db, opts: o, view: newView(db, o.Refresh), wake: make(chan struct{}, o.Workers)}
}
