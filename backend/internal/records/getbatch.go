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
	if len(calls) == 1 {
		c := calls[0]
		c.Answer(t.query(ctx, q, t.getSQL, []any{c.Arg}, t.columns, 1))
		return
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.Arg
	}
	recs, err := t.query(ctx, q, t.getManySQL, []any{ids}, t.columns, len(ids))
	byID := make(map[int64]*Record, len(recs))
	for _, r := range recs {
		byID[wire.Deref(r.vals[0]).(int64)] = r // id is the first column
	}
	given := make(map[int64]bool, len(calls))
	for _, c := range calls {
		rec := byID[c.Arg]
		if rec != nil && given[c.Arg] {
			// the same id twice in a batch: each request owns its record (expand changes it)
			rec = &Record{cols: rec.cols, vals: slices.Clone(rec.vals)}
		}
		given[c.Arg] = true
		if rec == nil {
			c.Answer(nil, err)
		} else {
			c.Answer([]*Record{rec}, err)
		}
	}
}
