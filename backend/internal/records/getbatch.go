package records

import (
	"context"
	"slices"

	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/wire"
)

// Reads by id are batched (package batch): the reads of a table that wait go together as
// one `WHERE id = ANY($1)`.
const (
	maxGetFlights = 1
	maxGetBatch   = 1000
)

// getCall is one read by id waiting in a table's batcher.
type getCall = batch.Call[int64, []*Record]

// getBatched reads one row by id through the table's batcher, with the reads of other
// requests that wait; nil when there is none. q must be shared by those requests (the
// pool): together decides.
func (t *Table) getBatched(ctx context.Context, q Querier, id int64) (*Record, error) {
	recs, err := t.gets.Do(ctx, id, func(ctx context.Context, calls []*getCall) {
		t.fetchByID(ctx, q, calls)
	})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// getDirect reads one row by id on q, alone; nil when there is none.
func (t *Table) getDirect(ctx context.Context, q Querier, id int64) (*Record, error) {
	recs, err := t.query(ctx, q, t.getSQL, []any{id}, t.columns, 1)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// fetchByID reads the calls' rows in one statement.
func (t *Table) fetchByID(ctx context.Context, q Querier, calls []*getCall) {
	readByID(ctx, t, q, t.getSQL, t.getManySQL, t.columns, nil, calls, getCallID)
}

func getCallID(id int64) int64 { return id }

// readByID reads the rows of calls (the id of each is id(Arg)) in one statement: one,
// which reads one id ($1), for a call alone, else many, which reads an array of ids
// ($1); vals are bound after ($2…). cols are what both select, id first.
func readByID[A any](ctx context.Context, t *Table, q Querier, one, many string, cols []*column, vals []any, calls []*batch.Call[A, []*Record], id func(A) int64) {
	if len(calls) == 1 {
		c := calls[0]
		a := make([]any, 1, 1+len(vals))
		a[0] = id(c.Arg)
		c.Answer(t.query(ctx, q, one, append(a, vals...), cols, 1))
		return
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = id(c.Arg)
	}
	a := make([]any, 1, 1+len(vals))
	a[0] = ids
	recs, err := t.query(ctx, q, many, append(a, vals...), cols, len(ids))
	answerByID(calls, recs, err, id)
}

// answerByID answers each call the record of its id among recs (nil when there is none),
// and err.
func answerByID[A any](calls []*batch.Call[A, []*Record], recs []*Record, err error, id func(A) int64) {
	byID := make(map[int64]*Record, len(recs))
	for _, r := range recs {
		byID[wire.Deref(r.vals[0]).(int64)] = r // id is the first column
	}
	given := make(map[int64]bool, len(calls))
	for _, c := range calls {
		cid := id(c.Arg)
		rec := byID[cid]
		if rec != nil && given[cid] {
			// the same id twice in a batch: each request owns its record (expand changes it)
			rec = &Record{cols: rec.cols, vals: slices.Clone(rec.vals)}
		}
		given[cid] = true
		if rec == nil {
			c.Answer(nil, err)
		} else {
			c.Answer([]*Record{rec}, err)
		}
	}
}
