package schemasync

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// Options tune one apply.
type Options struct {
	// AllowDataLoss lets a plan with data-losing ops run; without it such a plan is a 409,
	// or on a dry run a Result with RefusedWithout set.
	AllowDataLoss bool
	// IfMatch, when set, is the schema version the caller last saw; a different one is a 412.
	IfMatch *int64
	// DryRun runs everything, then rolls back: the result is what an apply would do.
	DryRun bool
	// Actor is who asks, recorded in the history.
	Actor string
	// Focus names the one model a request is about: its validation problems get paths
	// relative to it ("fields[0].name"), the other models' keep "models[i]." in front.
	// PutModel's problems with the model it is sent are always relative to it.
	Focus string
	// Quota, when set, may refuse the change from the models before it to the models
	// after it (e.g. limits.CheckSchema); it runs under the tenant's schema lock, so two
	// changes cannot both pass it.
	Quota func(before, after []schema.Model) error
}

// Result is what an apply did or, for a dry run, would do: the body the schema routes
// answer (a model's routes without Models and Hash).
type Result struct {
	Models  []schema.Model `json:"models,omitempty"`
	Ops     []plan.Op      `json:"plan"`
	SQL     []string       `json:"sql"`
	Version int64          `json:"version"`
	Hash    string         `json:"hash,omitempty"`
	Changed bool           `json:"changed"`
	DryRun  bool           `json:"dry_run,omitempty"`
	// RefusedWithout, on a dry run, names the option without which the change would be
	// refused (RefusedWithoutDataLoss); empty when it would run as sent.
	RefusedWithout string `json:"refused_without,omitempty"`
	// Roles are the tenant's custom roles after the change (fields by id), for the
	// model cache; the routes show them by name.
	Roles map[string]*access.Stored `json:"-"`
	// RolesChanged tells whether the change changed the roles.
	RolesChanged bool `json:"-"`
}

// RefusedWithoutDataLoss is Result.RefusedWithout of a dry run whose change loses data
// and was sent without Options.AllowDataLoss.
const RefusedWithoutDataLoss = "allow_data_loss"

// Change computes a tenant's new models from its current ones. It runs inside the locked
// transaction, so a change built on the current state (add one field) cannot race.
type Change func(current []schema.Model) ([]schema.Model, error)

// Hook runs inside the transaction after a change is stored and before it commits (not
// on dry runs or no-ops); an error rolls the change back. The schema.changed outbox
// event is written by one.
type Hook func(ctx context.Context, tx bun.Tx, t tenantref.Ref, r *Result) error

// Committed runs after a change has committed (not on dry runs or no-ops): it tells the
// model cache of every replica. It cannot undo the change, so it returns nothing.
type Committed func(ctx context.Context, t tenantref.Ref, r *Result)

// Engine applies definitions to tenants' schemas.
type Engine struct {
	db          *bun.DB
	hooks       []Hook
	committed   []Committed
	lockTimeout time.Duration
	attempts    int
	// gates holds, for each tenant with an apply in this process, a chan struct{} of
	// capacity 1 (the turn, see turn) and how many applies use it; the last one to leave
	// removes it, so the map holds only tenants being changed.
	mu    sync.Mutex
	gates map[int64]*gate
}

// gate is one tenant's turn and the number of applies holding or waiting for it.
type gate struct {
	turn  chan struct{}
	users int
}

// Option configures an Engine.
type Option func(*Engine)

// WithHook adds a hook run inside every applying transaction.
func WithHook(h Hook) Option { return func(e *Engine) { e.hooks = append(e.hooks, h) } }

// WithCommitted adds a function run after every committed change.
func WithCommitted(f Committed) Option {
	return func(e *Engine) { e.committed = append(e.committed, f) }
}

// WithLockTimeout sets the lock_timeout of an apply (default 5s).
func WithLockTimeout(d time.Duration) Option { return func(e *Engine) { e.lockTimeout = d } }

// WithAttempts sets how many times an apply runs when it times out on a lock (default 4).
func WithAttempts(n int) Option { return func(e *Engine) { e.attempts = max(n, 1) } }

// New returns an engine on db.
func New(db *bun.DB, opts ...Option) *Engine {
	e := &Engine{db: db, lockTimeout: 5 * time.Second, attempts: 4, gates: map[int64]*gate{}}
	for _, o := range opts {
		o(e)
	}
	return e
}

// Apply runs change for tenant t in one transaction, retried when it times out on a lock.
// Every model that change returns and that differs from the stored one is validated
// inside the lock; ApplySchema and PutModel validate what they are sent before it.
func (e *Engine) Apply(ctx context.Context, t tenantref.Ref, change Change, o Options) (*Result, error) {
	return e.apply(ctx, t, change, nil, nil, o)
}

// apply is Apply; checked names the models that change returns as they were validated
// before the lock, which are not validated again; roles, when not nil, changes the
// tenant's custom roles in the same change.
func (e *Engine) apply(ctx context.Context, t tenantref.Ref, change Change, checked map[string]bool, roles RoleChange, o Options) (*Result, error) {
	if t.ID == 0 || t.Schema == "" {
		return nil, errors.New("schemasync: apply without a tenant id and schema")
	}
	release, err := e.turn(ctx, t.ID)
	if err != nil {
		return nil, err
	}
	defer release()
	for attempt := 1; ; attempt++ {
		res, err := e.applyOnce(ctx, t, change, checked, roles, o)
		switch {
		case err == nil || !retryable(err):
			return res, err
		case attempt >= e.attempts:
			return nil, busy(err)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
		}
	}
}

// turn waits for this process's turn to change tenant id's schema, as long as every
// attempt of an apply may wait for the lock, and returns what ends it. The applies of
// one tenant wait here, one behind the other, rather than each in a transaction on a
// connection of its own waiting for the advisory lock: many changes sent to one tenant
// at once must not take the pool from the other tenants. The advisory lock still
// serialises the applies of different processes.
func (e *Engine) turn(ctx context.Context, id int64) (release func(), err error) {
	g := e.join(id)
	timer := time.NewTimer(e.lockTimeout * time.Duration(e.attempts))
	defer timer.Stop()
	select {
	case g.turn <- struct{}{}:
		return func() { <-g.turn; e.leave(id, g) }, nil
	case <-ctx.Done():
		e.leave(id, g)
		return nil, ctx.Err()
	case <-timer.C:
		e.leave(id, g)
		return nil, busy(errors.New("schemasync: waited for the turn of another apply to the tenant"))
	}
}

// join returns tenant id's gate, made if none uses it, counting one more user.
func (e *Engine) join(id int64) *gate {
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.gates[id]
	if g == nil {
		g = &gate{turn: make(chan struct{}, 1)}
		e.gates[id] = g
	}
	g.users++
	return g
}

// leave counts one user less of g, removing it when it was the last.
func (e *Engine) leave(id int64, g *gate) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if g.users--; g.users == 0 {
		delete(e.gates, id)
	}
}

// retryable is true for a lock timeout (55P03) or a deadlock (40P01).
func retryable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && (pg.Code == "55P03" || pg.Code == "40P01")
}

// busy is the answer when every attempt timed out on a lock: a 409, not a 5xx, because
// what is in the way is this tenant's own activity (another change of its schema, or a
// long transaction on one of its tables), not a fault of the service; Retry-After says
// when to try again.
func busy(err error) error {
	return &apperr.Error{Code: apperr.Conflict, Err: err, RetryAfter: time.Second,
		Detail: "another change of this tenant's schema is in progress; try again"}
}
