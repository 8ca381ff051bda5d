package records

import (
	"context"
	"errors"
	"fmt"
	"time"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
)

// Streamed creates (an NDJSON or CSV body) read their rows one at a time from the body,
// validate each as a bulk write does, and write them in one transaction: by a built-in
// role with no webhook listening, fed as they come into one COPY … FROM STDIN (FORMAT
// binary) (ingest_copy.go); otherwise inserted in chunks of importChunk rows with
// RETURNING, each chunk checked against a custom role's rule and its events written
// (ingest_insert.go). No slice of all the rows is ever held: memory does not grow with
// their number. A refused row stops the writing and rolls it back; the rest of the body
// is still read and validated, without a database connection, so that the answer names
// the problems of every row (up to MaxProblems of them).

// importChunk is how many rows an import inserts in one statement, and how many rows
// the statement timeout bounds at a time.
const importChunk = 1000

// DefaultImportProblems is how many problems a refused import names when
// ImportOptions.MaxProblems is 0; the answer counts the others (errors_omitted).
const DefaultImportProblems = 100

// ImportRows are the rows of a streamed create, read one at a time.
type ImportRows interface {
	// Start is called before the first row with the model's validator: a source with a
	// header checks it there (unknown_field at header.<name>). It may be called again,
	// with a reloaded model, when it answered unknown_field.
	Start(v *record.Validator) error
	// Next reads the next row into row, and reports false at the end. An error ends the
	// import (the body cannot be read, or its syntax lost). row.Body is valid until the
	// next call.
	Next(row *ImportRow) (bool, error)
}

// ImportRow is one row of a streamed create.
type ImportRow struct {
	// N numbers the row in the problems: an NDJSON body's line, a CSV body's data row.
	N int
	// Body is the row as a record body; nil when the row could not be read (Problems).
	Body map[string]any
	// Problems are what the source could not read of the row, with paths inside it.
	Problems problem.List
}

// ImportOptions bound a streamed create.
type ImportOptions struct {
	// MaxRows is the most rows one import may hold (413 past it); 0: no bound.
	MaxRows int64
	// ChunkTimeout bounds the time each chunk of importChunk rows, and the commit, may
	// take, not counting the time spent waiting for the body: the tenant's statement
	// timeout, per chunk; 0: no bound.
	ChunkTimeout time.Duration
	// MaxProblems is how many problems a refused import names (DefaultImportProblems).
	MaxProblems int
	// Admit is asked, once every row is written and before the commit, whether n rows
	// may be added (the tenant's quotas); done is told whether they were committed.
	Admit func(n int64) (done func(committed bool), err error)
}

// errRefused stops the writing of an import at its first refused row.
var errRefused = errors.New("records: a row of the import was refused")

// errImportChunkTimeout cancels an import whose chunk ran past ChunkTimeout.
var errImportChunkTimeout = errors.New("records: an import chunk ran past the statement timeout")

// Import writes every row of rows as a record of model, all or nothing, and answers how
// many it wrote (Result.Created).
func (s *Service) Import(ctx context.Context, t tenantref.Ref, c Caller, model string, rows ImportRows, minVersion int64, o ImportOptions) (*Result, error) {
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Create, minVersion); err != nil {
			return nil, err
		}
	}
	ts, tbl, err := s.table(ctx, t, model, minVersion)
	if err != nil {
		return nil, err
	}
	if err = rows.Start(tbl.validator); unknownField(err) { // a field added since the model was cached?
		fresh, err2 := s.Catalog.Reload(ctx, t)
		if err2 != nil {
			return nil, err2
		}
		if fresh.Version != ts.Version && fresh.ByName[model] != nil {
			ts, tbl = fresh, fresh.ByName[model]
			err = rows.Start(tbl.validator)
		}
	}
	if err != nil {
		return nil, err
	}
	imp := &importer{s: s, t: t, c: c, tbl: tbl, rows: rows, o: o, version: ts.Version}
	if imp.o.MaxProblems <= 0 {
		imp.o.MaxProblems = DefaultImportProblems
	}
	if c.custom() {
		if imp.r, err = tbl.rule(ts, c, access.Create); err != nil {
			return nil, err
		}
		if imp.r.lostPreset {
			return nil, imp.r.forbidden("one of its presets names a field the model lacks")
		}
		var ok bool
		if imp.conds, ok = imp.r.where(c.Vars); !ok {
			return nil, imp.r.forbidden("its filter admits no record for this caller")
		}
	}
	n, err := imp.run(ctx, s.listens(ctx, t, model, EventCreated))
	if errors.Is(err, errRefused) {
		err = imp.drain()
	}
	if err != nil {
		if Stale(err) {
			err = &apperr.Error{Code: apperr.Conflict, Err: err,
				Detail: "model " + model + " changed while the rows were written; nothing was written: send them again"}
		}
		return nil, unknownIfLost(err)
	}
	return &Result{Version: ts.Version, Created: int(n)}, nil
}

// importer is one streamed create under way.
type importer struct {
	s       *Service
	t       tenantref.Ref
	c       Caller
	tbl     *Table
	r       *rule // a custom role's create rule; nil for a built-in role
	conds   []query.Condition
	rows    ImportRows
	o       ImportOptions
	version int64
	clock   *chunkClock

	row     ImportRow
	read    int64 // rows read
	refused int64 // rows refused
	probs   problem.List
	omitted int // problems past MaxProblems
}

// run writes the rows in a transaction on a connection of the tenant's lane, copied or
// inserted, and commits them when none was refused.
func (imp *importer) run(ctx context.Context, listened bool) (n int64, err error) {
	ctx, imp.clock = startChunkClock(ctx, imp.o.ChunkTimeout)
	defer imp.clock.stop()
	defer func() {
		if context.Cause(ctx) == errImportChunkTimeout && !errors.Is(err, errRefused) {
			err = &apperr.Error{Code: apperr.Timeout, Err: err,
				Detail: "a chunk of the import ran longer than the tenant's statement timeout (statement_timeout_ms), which bounds each chunk of 1000 rows and the commit; nothing was written"}
		}
	}()
	conn, err := imp.s.pool().acquireFor(ctx, laneOf(imp.t))
	if err != nil {
		return 0, err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	if imp.r == nil && !listened {
		n, err = imp.copy(ctx, tx)
	} else {
		n, err = imp.insert(ctx, tx, listened)
	}
	if err != nil {
		return 0, err
	}
	if imp.o.Admit != nil {
		done, err := imp.o.Admit(n)
		if err != nil {
			return 0, err
		}
		committed := false
		defer func() { done(committed) }()
		imp.clock.chunk()
		if err = tx.Commit(ctx); err != nil {
			return 0, dbError(err)
		}
		committed = true
		return n, nil
	}
	imp.clock.chunk()
	return n, dbError(tx.Commit(ctx))
}

// next reads and validates the next row: its values, or nil at the end. A refused row
// is noted (refuse) and answered as errRefused.
func (imp *importer) next() (map[string]any, error) {
	imp.clock.waiting()
	more, err := imp.rows.Next(&imp.row)
	imp.clock.waited()
	if err != nil || !more {
		return nil, err
	}
	imp.read++
	if imp.o.MaxRows > 0 && imp.read > imp.o.MaxRows {
		return nil, apperr.New(apperr.TooLarge, fmt.Sprintf("an import holds at most %d rows (FORMA_IMPORT_MAX_ROWS)", imp.o.MaxRows))
	}
	probs := imp.row.Problems
	if imp.row.Body == nil {
		return nil, imp.refuse(probs)
	}
	body := imp.row.Body
	if imp.r != nil {
		probs = append(problem.List(nil), probs...)
		if body, err = imp.r.writeBody(imp.tbl, imp.c, body, &probs); err != nil {
			return nil, err
		}
	}
	vals, vp := imp.tbl.validator.Validate(body, record.Create)
	if len(probs) > 0 {
		vp = sortedProblems(append(probs, vp...))
	}
	if len(vp) > 0 {
		return nil, imp.refuse(vp)
	}
	return vals, nil
}

// refuse notes the problems of the current row, up to MaxProblems in all.
func (imp *importer) refuse(probs problem.List) error {
	imp.refused++
	imp.note(imp.row.N, probs)
	return errRefused
}

// note keeps the problems of row n (paths "[n].field"), up to MaxProblems in all.
func (imp *importer) note(n int, probs problem.List) {
	room := max(0, imp.o.MaxProblems-len(imp.probs))
	if len(probs) > room {
		imp.omitted += len(probs) - room
		probs = probs[:room]
	}
	imp.probs.Append(problem.Index("", n), probs)
}

// drain reads and validates the rest of the rows of a refused import, with no
// connection held, and answers its problems.
func (imp *importer) drain() error {
	imp.clock = nil
	for {
		vals, err := imp.next()
		if err != nil && !errors.Is(err, errRefused) {
			return err
		}
		if vals == nil && err == nil {
			break
		}
	}
	e := apperr.Validation(fmt.Sprintf("%d of the %d rows were refused; nothing was written", imp.refused, imp.read), imp.probs)
	if imp.omitted > 0 {
		e = e.With("errors_omitted", imp.omitted)
	}
	return e
}
