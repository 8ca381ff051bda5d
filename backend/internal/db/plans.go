package db

import (
	"context"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
)

// Each connection keeps its prepared statements, planned for the tables as they were.
// When a table's column changes type, Postgres refuses such a statement whose result
// type would change ("cached plan must not change result type", 0A000) and pgx forgets
// it on that connection only; the others keep theirs. PlansChanged makes every
// connection drop its statements before its next use, so a request that met one runs
// again on fresh statements whichever connection it gets.

// plansEpoch counts PlansChanged calls. It is one for the process, not per pool: a
// needless drop costs each statement one more prepare.
var plansEpoch atomic.Int64

const epochKey = "forma.plans_epoch"

// PlansChanged says that prepared statements may be stale: each connection of every
// pool deallocates its statements before it is next handed out.
func PlansChanged() { plansEpoch.Add(1) }

// freshPlans is the pool's PrepareConn: it deallocates a connection's statements when
// PlansChanged was called since it last did; a connection that fails to is discarded,
// and its error (the database going away, most likely) is the acquire's.
func freshPlans(ctx context.Context, conn *pgx.Conn) (bool, error) {
	epoch := plansEpoch.Load()
	data := conn.PgConn().CustomData()
	if seen, _ := data[epochKey].(int64); seen == epoch {
		return true, nil
	}
	if err := conn.DeallocateAll(ctx); err != nil {
		return false, err
	}
	data[epochKey] = epoch
	return true, nil
}

// plansNow marks a new connection as having no stale statements.
func plansNow(_ context.Context, conn *pgx.Conn) error {
	conn.PgConn().CustomData()[epochKey] = plansEpoch.Load()
	return nil
}
