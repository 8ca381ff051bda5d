// Package db opens Forma's Postgres connection pool: one pgx pool, used through bun for
// the control plane and through pgx's own API for the data path, and, when the pool is
// split into lanes (lanes.go), a small pgx pool per lane for the tenants' statements.
package db

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgconn/ctxwatch"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
)

// MaxConns is the most connections one process holds, unless DATABASE_URL says
// otherwise with pgxpool's pool_max_conns parameter.
const MaxConns = 32

// cancelGrace is how long a statement whose context ended has to stop after Postgres is
// asked to cancel it; past it, the connection is closed.
const cancelGrace = 5 * time.Second

// Pool is one pool of connections to a database, seen two ways.
type Pool struct {
	// Bun serves the control plane: tenants, keys, definitions, migrations, webhooks.
	Bun *bun.DB
	// PGX serves records: pgx's own API, without database/sql's layer per query and
	// per row (a third of the allocations of reading one record).
	PGX *pgxpool.Pool
	// Lanes, when there are some (Options.Lanes), hold most of the budget of
	// connections, PGX the rest: see Lanes. nil: PGX holds them all.
	Lanes *Lanes
}

// Options are how Open splits the pool.
type Options struct {
	// Lanes is how many lanes of connections the tenants' statements are spread over
	// (see Lanes); 0 or 1: none, every connection serves every tenant.
	Lanes int
	// LaneWait is how long a statement waits for a connection of its lane before it
	// takes a shared one (0: DefaultLaneWait).
	LaneWait time.Duration
}

// Open connects to the database at url and checks that it answers.
func Open(ctx context.Context, url string) (*Pool, error) {
	return OpenWith(ctx, url, Options{})
}

// OpenWith connects to the database at url, its connections split as opts says, and
// checks that it answers. The pool's budget is MaxConns, or pgxpool's pool_max_conns
// in url, whether split or not.
func OpenWith(ctx context.Context, url string, opts Options) (*Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	if !strings.Contains(url, "pool_max_conns=") {
		cfg.MaxConns = MaxConns
	}
	shared, perLane, lanes := laneSizes(int(cfg.MaxConns), opts.Lanes)
	cfg.MaxConnIdleTime = 5 * time.Minute
	cfg.AfterConnect, cfg.PrepareConn = plansNow, freshPlans
	// A request past its deadline (a tenant's statement timeout, a client gone) has
	// Postgres cancel the statement it runs, rather than closing the connection under a
	// statement that would run on to its end.
	cfg.ConnConfig.BuildContextWatcherHandler = func(pc *pgconn.PgConn) ctxwatch.Handler {
		return &pgconn.CancelRequestContextWatcherHandler{Conn: pc, DeadlineDelay: cancelGrace}
	}
	if cfg.MinConns > int32(shared) {
		cfg.MinConns = int32(shared)
	}
	laneCfgs := make([]*pgxpool.Config, lanes)
	for i := range laneCfgs {
		laneCfgs[i] = cfg.Copy()
		laneCfgs[i].MaxConns, laneCfgs[i].MinConns = int32(perLane), 0
	}
	cfg.MaxConns = int32(shared)
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	p := &Pool{Bun: bun.NewDB(stdlib.OpenDBFromPool(pool), pgdialect.New()), PGX: pool}
	if lanes > 0 {
		wait := opts.LaneWait
		if wait <= 0 {
			wait = DefaultLaneWait
		}
		p.Lanes = &Lanes{shared: pool, wait: wait, seed: maphash.MakeSeed(), lanes: make([]*pgxpool.Pool, lanes)}
		for i, lc := range laneCfgs {
			if p.Lanes.lanes[i], err = pgxpool.NewWithConfig(ctx, lc); err != nil {
				p.Lanes.lanes = p.Lanes.lanes[:i]
				_ = p.Close()
				return nil, fmt.Errorf("connect to postgres: %w", err)
			}
		}
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := pool.Ping(pingCtx); err != nil {
		_ = p.Close()
		return nil, fmt.Errorf("connect to postgres: %w", err)
	}
	return p, nil
}

// Close closes the pool and its connections.
func (p *Pool) Close() error {
	err := p.Bun.Close()
	p.PGX.Close()
	if p.Lanes != nil {
		p.Lanes.Close()
	}
	return err
}
