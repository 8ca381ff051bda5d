package records

import (
	"context"
	"slices"
)

// Reads by id are batched (batch.go): the reads of a table that wait go together as one
// `WHERE id = ANY($1)`.
const (
	maxGetFlights = 1
	maxGetBatch   = 1000
)

// get reads one row by id through the table's batcher; nil when there is none.
func (t *Table) get(ctx context.Context, q Querier, id int64) (*Record, error) {
	if !shared(q) {
		return t.Get(ctx, q, id)
	}
	recs, err := t.gets.do(ctx, id, func(ctx context.Context, calls []*call[int64]) {
		t.fetchByID(ctx, q, calls)
	})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// fetchByID reads the calls' rows in one statement.
func (t *Table) fetchByID(ctx context.Context, q Querier, calls []*call[int64]) {
	if len(calls) == 1 {
		c := calls[0]
		c.answer(t.query(ctx, q, t.getSQL, []any{c.arg}, t.columns, 1))
		return
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.arg
	}
	recs, err := t.query(ctx, q, t.getManySQL, []any{ids}, t.columns, len(ids))
	byID := make(map[int64]*Record, len(recs))
	for _, r := range recs {
		byID[deref(r.vals[0]).(int64)] = r // id is the first column
	}
	given := make(map[int64]bool, len(calls))
	for _, c := range calls {
		rec := byID[c.arg]
		if rec != nil && given[c.arg] {
			// the same id twice in a batch: each request owns its record (expand changes it)
			rec = &Record{cols: rec.cols, vals: slices.Clone(rec.vals)}
		}
		given[c.arg] = true
		if rec == nil {
			c.answer(nil, err)
		} else {
			c.answer([]*Record{rec}, err)
		}
	}
}
