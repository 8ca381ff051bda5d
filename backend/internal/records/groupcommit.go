package records

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/db"
)

// Single-row creates are committed in groups. Under load most of a create's cost is its
// commit and its round trip, not the insert, so the creates that arrive while one is in
// flight wait (package batch), and go together as one pipeline of inserts with a single
// Sync: Postgres runs them as one implicit transaction, with one commit and one WAL
// flush for all of them. Each keeps its own statement, row and answer, and is answered
// only once the group has committed. A create that finds the flight free goes at once,
// alone: grouping adds no wait when there is nothing to wait for.
//
// Which creates wait together: with lanes (db.Lanes), those of every tenant of a lane,
// whatever their table; without, those of one table. Over many tenants a table seldom
// has two creates at once, and a group of one pays a commit each: measured apart (1,000
// tenants' tables, 4 lanes, one connection each sending its lane's inserts as one
// group), Postgres spent 106–113 µs of CPU per insert against 193–204 for inserts
// committed one by one.
//
// What the creates of a group share:
//   - their fate: when Postgres refuses one, nothing of the group is written; the ones
//     before it commit again as a group, it runs alone after them, for an answer of its
//     own, and the ones after it go on as a group. So each gets the answer it would have
//     got had they run one after another.
//   - their commit: when the connection is lost before the commit is known, none can tell
//     whether it was written, and each is answered "outcome unknown" (503), never run again.
//   - their now(): created_at and updated_at are the group's start.
//   - their locks, within a tenant: an insert waiting on a lock (another transaction
//     writing the same unique value) holds up its group. A group of several tenants
//     waits for a lock at most mixedLockWait: past it, the insert that waits leaves the
//     group and runs alone, on its own request's time, so that one tenant's wait never
//     holds another's creates.
const (
	maxCreateFlights = 1
	maxCreateBatch   = 32
	mixedLockWait    = 20 * time.Millisecond
)

// insertCall is one single-row insert: its table, statement text and bound values.
type insertCall struct {
	t     *Table
	query string
	args  []any
}

// createCall is one single-row create waiting in a batcher.
type createCall = batch.Call[insertCall, []*Record]

// createBatcher is the batcher t's single-row creates wait in: its tenant's lane's, when
// the pool has lanes, else the table's own.
func (s *Service) createBatcher(t *Table) *batch.Batcher[insertCall, []*Record] {
	var lanes *db.Lanes
	if s.Statements != nil {
		lanes = s.Statements.Lanes()
	}
	if lanes == nil {
		return &t.creates
	}
	s.laneCreatesOnce.Do(func() {
		s.laneCreates = make([]batch.Batcher[insertCall, []*Record], lanes.Len())
		for i := range s.laneCreates {
			s.laneCreates[i].Flights, s.laneCreates[i].Size = maxCreateFlights, maxCreateBatch
		}
	})
	return &s.laneCreates[lanes.Lane(laneKey(t))]
}

// createGrouped writes one validated row (record.Create output) of t, committed in a
// group with the other creates that wait in its batcher (createBatcher): together
// decides when.
func (s *Service) createGrouped(ctx context.Context, t *Table, row map[string]any) ([]*Record, error) {
	rows := []map[string]any{row}
	query, args := t.insertSQL(t.writtenColumns(rows), rows)
	pool := s.pool()
	recs, err := s.createBatcher(t).Do(ctx, insertCall{t, query, args}, func(ctx context.Context, calls []*createCall) {
		commitGroups(ctx, pool, calls, aloneFor(ctx, pool, calls))
	})
	if errors.Is(err, errRunAlone) {
		recs, err = t.query(ctx, pool, query, args, t.columns, 1)
		err = unknownIfLost(err)
	}
	return recs, err
}

// errRunAlone answers a create of a group of several tenants that must run alone: its
// caller runs it, on its own request's time (createGrouped).
var errRunAlone = errors.New("records: the create runs alone")

// aloneFor is how the creates of calls that must run alone run: in the group's flight,
// one after another, when they are one tenant's; else each by its own caller.
func aloneFor(ctx context.Context, pool onPool, calls []*createCall) func(*createCall) {
	if !mixed(calls) {
		return func(c *createCall) { insertAlone(ctx, pool, c) }
	}
	return func(c *createCall) { c.Answer(nil, errRunAlone) }
}

// mixed reports whether calls are the creates of more than one tenant.
func mixed(calls []*createCall) bool {
	for _, c := range calls[1:] {
		if laneKey(c.Arg.t) != laneKey(calls[0].Arg.t) {
			return true
		}
	}
	return false
}

// commitGroups answers every call, committing as many together as Postgres accepts;
// alone runs a create that cannot go with the others.
func commitGroups(ctx context.Context, pool onPool, calls []*createCall, alone func(*createCall)) {
	for len(calls) > 1 {
		refused, err := commitGroup(ctx, pool, calls)
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
				alone(c)
			}
			return
		}
		commitGroups(ctx, pool, calls[:refused], alone)
		alone(calls[refused])
		calls = calls[refused+1:]
	}
	if len(calls) == 1 {
		alone(calls[0])
	}
}

func insertAlone(ctx context.Context, q Querier, c *createCall) {
	recs, err := c.Arg.t.query(ctx, q, c.Arg.query, c.Arg.args, c.Arg.t.columns, 1)
	c.Answer(recs, unknownIfLost(err))
}

// commitGroup runs the calls' inserts as one transaction and, when it commits, answers
// them. Otherwise it answers none: refused is the index of the insert Postgres refused
// (len(calls) when it refused the commit), or -1 with err for every call. The calls are
// of one lane: the group runs there.
func commitGroup(ctx context.Context, pool onPool, calls []*createCall) (refused int, err error) {
	conn, err := pool.acquireFor(ctx, laneKey(calls[0].Arg.t)) // on the tenants' lane
	if err != nil {
		return -1, err // nothing was sent
	}
	defer conn.Release()
	var b pgx.Batch
	bounded := mixed(calls)
	if bounded {
		b.Queue(setLockWaitSQL, mixedLockWait.Milliseconds())
	}
	for _, c := range calls {
		b.Queue(c.Arg.query, c.Arg.args...)
	}
	br := conn.SendBatch(ctx, &b)
	if bounded {
		if _, err := br.Exec(); err != nil {
			_ = br.Close()
			return -1, unknownIfLost(err)
		}
	}
	recs := make([][]*Record, len(calls))
	stale := make([]error, len(calls)) // rows written, to be read again with the new model
	failed := len(calls)
	for i, c := range calls {
		var rows pgx.Rows
		if rows, err = br.Query(); err == nil {
			recs[i], err = readRows(rows, c.Arg.t.columns, 1)
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

// setLockWaitSQL bounds the lock waits of the rest of a group's transaction ($1: ms).
const setLockWaitSQL = "SELECT set_config('lock_timeout', $1::bigint || 'ms', true)"

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
