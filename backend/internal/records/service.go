package records

import (
	"context"
	"net/url"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
)

// Tables is a tenant's models compiled for one schema version.
type Tables struct {
	Version int64
	ByName  map[string]*Table
	// Roles are the tenant's custom roles at this version, by name.
	Roles map[string]*access.Stored
}

// Catalog gives the compiled models of a tenant (the model cache).
type Catalog interface {
	// Get returns the tables of the tenant's current version, at least minVersion.
	Get(ctx context.Context, t tenantref.Ref, minVersion int64) (*Tables, error)
	// Reload drops what is cached for the tenant and loads its current version.
	Reload(ctx context.Context, t tenantref.Ref) (*Tables, error)
}

// MaxBulk is the most records one bulk write may hold.
const MaxBulk = 10000

// Service runs record requests: validation with shared, one statement per request
// where it can, all-or-nothing bulk writes, and one reload-and-retry when the cached
// model turns out older than the database.
type Service struct {
	DB *pgxpool.Pool
	// Statements runs the reads and single inserts that go on the pool, each text
	// prepared or unnamed by its use (db.Statements); nil: pgx's own statement cache.
	Statements *db.Statements
	Catalog    Catalog
	// Events is the outbox for webhooks; nil when nobody listens.
	Events Events
	// SeparateCommits makes every create commit on its own, rather than in a group with
	// the creates that wait (groupcommit.go).
	SeparateCommits bool
	// TotalExactMax is how many records a list's total counts exactly before it gives
	// the planner's estimate (FORMA_TOTAL_EXACT_MAX); 0: DefaultTotalExactMax.
	TotalExactMax int64
}

// pool is the pool as the data path runs its statements on it.
func (s *Service) pool() onPool { return onPool{s.DB, s.Statements} }

// onPool is the pool with its Query through db.Statements, when there are some.
type onPool struct {
	*pgxpool.Pool
	stmts *db.Statements
}

// queryFor runs sql of table t on a connection of the pool: of its tenant's lane, when
// the pool has lanes (db.Lanes).
func (p onPool) queryFor(ctx context.Context, t *Table, sql string, args []any) (pgx.Rows, error) {
	if p.stmts == nil {
		return p.Pool.Query(ctx, sql, args...)
	}
	return p.stmts.QueryFor(ctx, laneKey(t), t.id, sql, args...)
}

// acquireFor is a connection for statements of the tenant whose lane key is lane: of
// its lane, when the pool has lanes.
func (p onPool) acquireFor(ctx context.Context, lane string) (*pgxpool.Conn, error) {
	if p.stmts == nil {
		return p.Pool.Acquire(ctx)
	}
	return p.stmts.AcquireFor(ctx, lane)
}

// sendBatchFor sends a pipeline of statements of table t: on its tenant's lane, when
// the pool has lanes.
func (p onPool) sendBatchFor(ctx context.Context, t *Table, b *pgx.Batch) pgx.BatchResults {
	if p.stmts == nil {
		return p.Pool.SendBatch(ctx, b)
	}
	return p.stmts.SendBatchFor(ctx, laneKey(t), b)
}

// laneOf is what picks the lane of a tenant's statements: its schema, quoted (as
// laneKey reads it from a table's name).
func laneOf(t tenantref.Ref) string { return pgx.Identifier{t.Schema}.Sanitize() }

// laneKey is what picks the lane of t's statements: its tenant's schema (quoted).
func laneKey(t *Table) string {
	if i := strings.Index(t.qualified, `"."`); i > 0 {
		return t.qualified[:i+1]
	}
	return t.qualified
}

// Result is a record answer with the schema version it was served with.
type Result struct {
	Version int64
	Records []*Record
	Page    *Page
	// Created is how many records a create wrote.
	Created int
}

// table returns the compiled model, reloading once when it may be newer than the cache.
func (s *Service) table(ctx context.Context, t tenantref.Ref, model string, minVersion int64) (*Tables, *Table, error) {
	ts, err := s.Catalog.Get(ctx, t, minVersion)
	if err != nil {
		return nil, nil, err
	}
	if tbl, ok := ts.ByName[model]; ok {
		return ts, tbl, nil
	}
	if ts, err = s.Catalog.Reload(ctx, t); err != nil {
		return nil, nil, err
	}
	if tbl, ok := ts.ByName[model]; ok {
		return ts, tbl, nil
	}
	return nil, nil, apperr.New(apperr.NotFound, "no model "+model)
}

// maxAttempts bounds withRetry: each attempt after the first needs a newer model (or,
// for a stale prepared statement, a fresh one), so it ends when schema changes do.
const maxAttempts = 4

// withRetry runs fn with the tenant's tables; when the database says a table or column
// is missing or of another type, or the body names a field the cached model lacks, it
// reloads and runs fn again, as long as the model is newer each time. A prepared
// statement that Postgres refused as stale runs again even when the model was current:
// on a fresh statement.
func (s *Service) withRetry(ctx context.Context, t tenantref.Ref, model string, minVersion int64, fn func(*Tables, *Table) error) error {
	ts, tbl, err := s.table(ctx, t, model, minVersion)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		err = fn(ts, tbl)
		if err == nil || !Stale(err) && !unknownField(err) || attempt == maxAttempts {
			break
		}
		if planChanged(err) {
			db.PlansChanged()
		}
		fresh, err2 := s.Catalog.Reload(ctx, t)
		if err2 != nil || fresh.Version == ts.Version && !planChanged(err) && !db.StaleDescription(err) {
			break
		}
		var ok bool
		if ts, tbl, ok = fresh, fresh.ByName[model], fresh.ByName[model] != nil; !ok {
			return apperr.New(apperr.NotFound, "no model "+model)
		}
	}
	if ids, ok := writtenStale(err); ok {
		return (&apperr.Error{Code: apperr.Conflict, Err: err,
			Detail: "the record was written, but model " + model + " kept changing while it was read back: read it again"}).With("ids", ids)
	}
	if Stale(err) {
		return apperr.New(apperr.NotFound, "model "+model+" changed; try again")
	}
	return err
}

func unknownField(err error) bool {
	e := apperr.As(err)
	if e == nil {
		return false
	}
	for _, p := range e.Problems {
		if p.Code == problem.UnknownField {
			return true
		}
	}
	return false
}

func validation(probs problem.List) error {
	return apperr.Validation("the record is not valid", probs)
}

// CreateOptions are a create's choices beyond its records.
type CreateOptions struct {
	// Minimal asks for the count of records created (Result.Created) rather than the
	// records (Prefer: return=minimal): a bulk write by a built-in role then reads
	// nothing back unless a webhook listens. Result.Records may still hold them.
	Minimal bool
}

// Create writes one record or, for a bulk write, all of them in one transaction.
func (s *Service) Create(ctx context.Context, t tenantref.Ref, c Caller, model string, bodies []map[string]any, minVersion int64) (*Result, error) {
	return s.CreateWith(ctx, t, c, model, bodies, minVersion, CreateOptions{})
}

// CreateWith is Create with options. A bulk write by a built-in role that wants only its
// count, with no webhook listening, is copied (COPY, copy.go); the others are inserted.
func (s *Service) CreateWith(ctx context.Context, t tenantref.Ref, c Caller, model string, bodies []map[string]any, minVersion int64, opts CreateOptions) (*Result, error) {
	if len(bodies) > MaxBulk {
		return nil, apperr.New(apperr.TooLarge, "a bulk write holds at most 10000 records")
	}
	res := &Result{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Create, minVersion); err != nil {
			return res, err
		}
	}
	var written []int64
	var visible map[int64]bool // of the rows written, those the get rule's filter held
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var r *rule
		var rd readable
		if c.custom() {
			var err error
			if r, err = tbl.rule(ts, c, access.Create); err != nil {
				return err
			}
			rd = tbl.readableOf(ts, c)
		}
		rows := make([]map[string]any, len(bodies))
		var probs problem.List
		for i, b := range bodies {
			prefix := ""
			if len(bodies) > 1 {
				prefix = problem.Index("", i)
			}
			var p problem.List
			if r != nil {
				var err error
				if b, err = r.writeBody(tbl, c, b, &p); err != nil {
					return err
				}
			}
			v, vp := tbl.validator.Validate(b, record.Create)
			if p != nil {
				vp = sortedProblems(append(p, vp...))
			}
			probs.Append(prefix, vp)
			rows[i] = v
		}
		if len(probs) > 0 {
			return validation(probs)
		}
		if written != nil { // written with a stale model: read back with this one
			recs, err := s.readBack(ctx, tbl, written)
			res.Version, res.Records, res.Created = ts.Version, recs, len(recs)
			if r != nil && err == nil {
				res.Records = tbl.answerAs(rd, r, visible, recs)
			}
			return err
		}
		kind := aCreate
		if len(rows) > 1 {
			kind = aBulk
		}
		var conds []query.Condition
		if r != nil {
			var ok bool
			if conds, ok = r.where(c.Vars); !ok {
				return r.forbidden("its filter admits no record for this caller")
			}
		}
		listened := s.listens(ctx, t, model, EventCreated)
		var copied int64 = -1
		recs, err := s.writeListened(ctx, t, model, EventCreated, ts.Version, listened, kind == aBulk || len(conds) > 0 || len(rd.conds) > 0, func(q Querier, inTx bool) ([]*Record, error) {
			if r == nil && kind == aBulk && inTx && opts.Minimal && !listened {
				// Copied when nothing is read back: when the records are wanted, INSERT
				// … RETURNING was measured faster than COPY and a read back by id.
				n, err := tbl.insertCopy(ctx, q, rows)
				copied = n
				return nil, err
			}
			if r != nil {
				recs, err := tbl.insertDirect(ctx, q, rows)
				if err == nil {
					visible, err = tbl.checkWritten(ctx, q, r, conds, rd, recs, kind == aBulk)
				}
				return recs, err
			}
			if together(kind, inTx, s.SeparateCommits) {
				return tbl.createGrouped(ctx, s.pool(), rows[0])
			}
			return tbl.insertDirect(ctx, q, rows)
		})
		written, _ = writtenStale(err)
		res.Version, res.Records, res.Created = ts.Version, recs, len(recs)
		if copied >= 0 {
			res.Created = int(copied)
		}
		if r != nil && err == nil {
			res.Records = tbl.answerAs(rd, r, visible, recs)
		}
		return unknownIfLost(err)
	})
	return res, err
}

// sortedProblems orders one record's problems by path, as the validator does.
func sortedProblems(probs problem.List) problem.List {
	slices.SortStableFunc(probs, func(a, b problem.Problem) int { return strings.Compare(a.Path, b.Path) })
	return probs
}

// List answers a list request.
func (s *Service) List(ctx context.Context, t tenantref.Ref, c Caller, model string, q url.Values, minVersion int64) (*Result, error) {
	res := &Result{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.List, minVersion); err != nil {
			return res, err
		}
	}
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var r *rule
		if c.custom() {
			var err error
			if r, err = tbl.rule(ts, c, access.List); err != nil {
				return err
			}
		}
		total, q, err := tbl.takeTotal(q) // list_total.go
		if err != nil {
			return err
		}
		if r != nil {
			if err := r.refuseNames(tbl, q); err != nil {
				return err
			}
		}
		lq, probs := tbl.ParseList(q)
		if len(probs) > 0 {
			return apperr.Validation("the query is not valid", probs)
		}
		var none, hideCursor bool
		if r != nil {
			none, hideCursor = r.narrowList(tbl, c, &lq)
		}
		var page *Page
		switch {
		case none:
			page = &Page{Data: []*Record{}}
			if total {
				page.Total = new(int64)
			}
		case total:
			page, err = tbl.listCounted(ctx, s.pool(), laneOf(t), lq, s.totalExactMax())
		case together(aRead, false, s.SeparateCommits):
			page, err = tbl.listBatched(ctx, s.pool(), lq)
		default:
			page, err = tbl.listDirect(ctx, s.pool(), lq)
		}
		if err == nil && r != nil {
			if hideCursor {
				page.NextCursor = nil
			}
			if !r.all && len(r.cols) == 0 {
				page.Data = trimmed(page.Data, nil)
			}
		}
		if err == nil {
			err = s.expand(ctx, ts, tbl, c, lq.Expand, page.Data)
		}
		res.Version, res.Page = ts.Version, page
		return err
	})
	return res, err
}

// Get reads one record; expand is the comma-separated relations to inline.
func (s *Service) Get(ctx context.Context, t tenantref.Ref, c Caller, model string, id int64, expand string, minVersion int64) (*Result, error) {
	res := &Result{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Get, minVersion); err != nil {
			return res, err
		}
	}
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var r *rule
		if c.custom() {
			var err error
			if r, err = tbl.rule(ts, c, access.Get); err != nil {
				return err
			}
		}
		if r != nil {
			if err := r.refuseNames(tbl, url.Values{"expand": {expand}}); err != nil {
				return err
			}
		}
		var probs problem.List
		cols := query.ParseExpand(tbl, expand, &probs)
		if len(probs) > 0 {
			return apperr.Validation("the query is not valid", probs)
		}
		var rec *Record
		var err error
		switch {
		case r != nil:
			rec, err = tbl.getAs(ctx, s.pool(), together(aRead, false, s.SeparateCommits), r, c, id)
		case together(aRead, false, s.SeparateCommits):
			rec, err = tbl.getBatched(ctx, s.pool(), id)
		default:
			rec, err = tbl.getDirect(ctx, s.pool(), id)
		}
		if err != nil {
			return err
		}
		if rec == nil {
			return apperr.New(apperr.NotFound, "no "+model+" record has this id")
		}
		res.Version, res.Records = ts.Version, []*Record{rec}
		return s.expand(ctx, ts, tbl, c, cols, res.Records)
	})
	return res, err
}

// Update replaces (PUT) or patches (PATCH) one record, honouring If-Match.
func (s *Service) Update(ctx context.Context, t tenantref.Ref, c Caller, model string, id int64, body map[string]any, mode record.Mode, ifMatch *int64, minVersion int64) (*Result, error) {
	res := &Result{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Update, minVersion); err != nil {
			return res, err
		}
	}
	var written []int64
	var visible map[int64]bool // of the rows written, those the get rule's filter held
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var r *rule
		var rd readable
		if c.custom() {
			var err error
			if r, err = tbl.rule(ts, c, access.Update); err != nil {
				return err
			}
			rd = tbl.readableOf(ts, c)
		}
		if written != nil { // written with a stale model: read back with this one
			recs, err := s.readBack(ctx, tbl, written)
			res.Version, res.Records = ts.Version, recs
			if r != nil && err == nil {
				res.Records = tbl.answerAs(rd, r, visible, recs)
			}
			return err
		}
		var vals map[string]any
		var probs problem.List
		var conds []query.Condition
		if r != nil {
			if _, err := r.writeBody(tbl, c, body, &probs); err != nil {
				return err
			}
			var ok bool
			if conds, ok = r.where(c.Vars); !ok && len(probs) == 0 {
				return apperr.New(apperr.NotFound, "no "+model+" record has this id")
			}
		}
		if len(probs) == 0 {
			if r != nil && mode == record.Replace && !r.all {
				vals, probs = r.replaceBody(tbl, body)
			} else {
				vals, probs = tbl.validator.Validate(body, mode)
			}
		}
		if len(probs) > 0 {
			return validation(probs)
		}
		recs, err := s.write(ctx, t, model, EventUpdated, ts.Version, len(conds) > 0 || len(rd.conds) > 0, func(q Querier, _ bool) ([]*Record, error) {
			if r != nil {
				recs, err := tbl.updateWhere(ctx, q, id, vals, ifMatch, conds)
				if err == nil {
					visible, err = tbl.checkWritten(ctx, q, r, conds, rd, recs, false)
				}
				return recs, err
			}
			return tbl.Update(ctx, q, id, vals, ifMatch)
		})
		written, _ = writtenStale(err)
		err = unknownIfLost(err)
		if err == nil && len(recs) == 0 {
			err = s.missOrStale(ctx, tbl, model, id, conds)
		}
		res.Version, res.Records = ts.Version, recs
		if r != nil && err == nil {
			res.Records = tbl.answerAs(rd, r, visible, recs)
		}
		return err
	})
	return res, err
}

// Delete removes one record, honouring If-Match.
func (s *Service) Delete(ctx context.Context, t tenantref.Ref, c Caller, model string, id int64, ifMatch *int64, minVersion int64) (*Result, error) {
	res := &Result{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Delete, minVersion); err != nil {
			return res, err
		}
	}
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var conds []query.Condition
		if c.custom() {
			r, err := tbl.rule(ts, c, access.Delete)
			if err != nil {
				return err
			}
			var ok bool
			if conds, ok = r.where(c.Vars); !ok {
				return apperr.New(apperr.NotFound, "no "+model+" record has this id")
			}
		}
		recs, err := s.write(ctx, t, model, EventDeleted, ts.Version, false, func(q Querier, _ bool) ([]*Record, error) {
			if conds != nil {
				return tbl.deleteWhere(ctx, q, id, ifMatch, conds)
			}
			return tbl.Delete(ctx, q, id, ifMatch)
		})
		if ids, ok := writtenStale(err); ok && len(ids) > 0 {
			res.Version = ts.Version
			return nil // deleted; its row, read with a stale model, is not answered
		}
		err = unknownIfLost(err)
		if err == nil && len(recs) == 0 {
			err = s.missOrStale(ctx, tbl, model, id, conds)
		}
		res.Version = ts.Version
		return err
	})
	return res, err
}

// missOrStale tells a missing record (404) from an If-Match that no longer matches (412);
// a record outside conds (a custom role's filter) is missing.
func (s *Service) missOrStale(ctx context.Context, tbl *Table, model string, id int64, conds []query.Condition) error {
	rec, err := tbl.getWhere(ctx, s.pool(), id, tbl.columns[:1], conds)
	switch {
	case err != nil:
		return err
	case rec == nil:
		return apperr.New(apperr.NotFound, "no "+model+" record has this id")
	}
	return apperr.New(apperr.PreconditionFailed, "the record changed since it was read (If-Match)")
}

// readBack reads the rows of ids, which a write committed, with tbl; each must still be
// there unless a later request removed it.
func (s *Service) readBack(ctx context.Context, tbl *Table, ids []int64) ([]*Record, error) {
	recs := make([]*Record, 0, len(ids))
	for _, id := range ids {
		rec, err := tbl.getDirect(ctx, s.pool(), id)
		if err != nil {
			return nil, markWritten(err) // the rows of ids are committed
		}
		if rec == nil {
			return nil, apperr.New(apperr.NotFound, "the record was written, then removed by another request")
		}
		recs = append(recs, rec)
	}
	return recs, nil
}
