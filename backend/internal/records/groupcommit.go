package records

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/db"
)

// Single-row creates are committed in groups. Under load most of a create's cost is its
// commit and its round trip, not the insert, so the creates of a table that arrive while
// one is in flight wait (package batch), and go together as one pipeline of inserts with a
// single Sync: Postgres runs them as one implicit transaction, with one commit and one
// WAL flush for all of them. Each keeps its own statement, row and answer, and is
// answered only once the group has committed. A create that finds the flight free goes
// at once, alone: grouping adds no wait when there is nothing to wait for.
//
// What the creates of a group share:
//   - their fate: when Postgres refuses one, nothing of the group is written; the ones
//     before it commit again as a group, it runs alone after them, for an answer of its
//     own, and the ones after it go on as a group. So each gets the answer it would have
//     got had they run one after another.
//   - their commit: when the connection is lost before the commit is known, none can tell
//     whether it was written, and each is answered "outcome unknown" (503), never run again.
//   - their now(): created_at and updated_at are the group's start.
//   - their locks: an insert waiting on a lock (another transaction writing the same
//     unique value) holds up the group.
const (
	maxCreateFlights = 1
	maxCreateBatch   = 32
)

// insertCall is one single-row insert: its statement text and bound values.
type insertCall struct {
	query string
	args  []any
}

// createCall is one single-row create waiting in a table's batcher.
type createCall = batch.Call[insertCall, []*Record]

// createGrouped writes one validated row (record.Create output), committed in a group
// with the other creates of the table that wait: together decides when.
func (t *Table) createGrouped(ctx context.Context, pool onPool, row map[string]any) ([]*Record, error) {
	rows := []map[string]any{row}
	query, args := t.insertSQL(t.writtenColumns(rows), rows)
	return t.creates.Do(ctx, insertCall{query, args}, func(ctx context.Context, calls []*createCall) {
		t.commitGroups(ctx, pool, calls)
	})
}

// commitGroups answers every call, committing as many together as Postgres accepts.
func (t *Table) commitGroups(ctx context.Context, pool onPool, calls []*createCall) {
	for len(calls) > 1 {
		refused, err := t.commitGroup(ctx, pool, calls)
		switch {
		case err == nil:
			return
		case refused < 0: // nothing was written, or nobody can tell
			for _, c := range calls {
				c.Answer(nil, err)
			}
			return
		case refused == len(calls): // the commit itself
			for _, c := range calls {
				t.insertAlone(ctx, pool, c)
			}
			return
		}
		t.commitGroups(ctx, pool, calls[:refused])
		t.insertAlone(ctx, pool, calls[refused])
		calls = calls[refused+1:]
	}
	if len(calls) == 1 {
		t.insertAlone(ctx, pool, calls[0])
	}
}

func (t *Table) insertAlone(ctx context.Context, q Querier, c *createCall) {
	recs, err := t.query(ctx, q, c.Arg.query, c.Arg.args, t.columns, 1)
	c.Answer(recs, unknownIfLost(err))
}

// commitGroup runs the calls' inserts as one transaction and, when it commits, answers
// them. Otherwise it answers none: refused is the index of the insert Postgres refused
// (len(calls) when it refused the commit), or -1 with err for every call.
func (t *Table) commitGroup(ctx context.Context, pool onPool, calls []*createCall) (refused int, err error) {
	conn, err := pool.acquireFor(ctx, laneKey(t)) // on the tenant's lane
	if err != nil {
		return -1, err // nothing was sent
	}
	defer conn.Release()
	var b pgx.Batch
	for _, c := range calls {
		b.Queue(c.Arg.query, c.Arg.args...)
	}
	br := conn.SendBatch(ctx, &b)
	recs := make([][]*Record, len(calls))
	stale := make([]error, len(calls)) // rows written, to be read again with the new model
	failed := len(calls)
	for i := range calls {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			recs[i], err = readRows(rows, t.columns, 1)
		}
		if s, ok := err.(*staleRows); ok {
			s.written, stale[i], err = true, s, nil
			continue
		}
		if err != nil {
			failed = i
			break
		}
	}
	if cerr := br.Close(); err == nil {
		err = cerr
	}
	switch {
	case err == nil:
		for i, c := range calls {
			c.Answer(recs[i], stale[i])
		}
		return 0, nil
	case rolledBack(err):
		if planChanged(err) {
			db.PlansChanged() // so that the inserts that go on get fresh statements
		}
		return failed, err
	}
	return -1, unknownIfLost(err)
}

// rolledBack reports whether err is Postgres refusing a statement or the commit, after
// which the transaction is rolled back and the connection goes on (not FATAL or PANIC,
// which end the connection at a moment the client cannot know).
func rolledBack(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Severity == "ERROR"
}

// unknownIfLost turns the error of a write whose connection was lost after it was sent
// into "outcome unknown": it may or may not have been committed. A refusal (nothing was
// written), a failure before anything was sent and any other error are left as they are.
func unknownIfLost(err error) error {
	var connect *pgconn.ConnectError
	if err == nil || apperr.As(err) != nil || rolledBack(err) || pgconn.SafeToRetry(err) || errors.As(err, &connect) || !db.Unreachable(err) {
		return err
	}
	return &apperr.Error{
		Code:       apperr.Unavailable,
		Detail:     "the connection to the database was lost while the record was being written: it may or may not have been written",
		Extra:      map[string]any{"outcome": "unknown"},
		Err:        err,
		RetryAfter: db.RetryAfter,
	}
}
