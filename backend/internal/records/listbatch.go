package records

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/batch"
)

// Lists are batched (package batch) by statement: the lists of one statement text (one
// model, the same filters, sort, limit and fields; other values) that wait go together
// as one pipeline, each its own statement with its own plan, rows and snapshot, sent in
// one write and answered in one stream. Only cheap statements are batched: a statement
// whose runs take longer than maxBatchedListCost on average runs alone, in parallel with
// the others, since waiting in line behind its like would cost more than a round trip.
const (
	maxListFlights     = 1
	maxListBatch       = 32
	maxBatchedListCost = time.Millisecond
)

// batchQuerier is a Querier that can send a pipeline of statements (the pool).
type batchQuerier interface {
	Querier
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// listBatchers are a table's list statements, by text.
type listBatchers struct{ batch.Store[*listShape] }

// listCall is one list waiting in its statement's batcher: the statement's bound values.
type listCall = batch.Call[[]any, []*Record]

// listShape is one list statement: its batcher and what its runs cost.
type listShape struct {
	batch.Batcher[[]any, []*Record]
	cost atomic.Int64 // nanoseconds per statement, a moving average
}

// shape returns the statement's batcher; nil once the table keeps batch.MaxShapes.
func (l *listBatchers) shape(query string) *listShape {
	if s, ok := l.Lookup(query); ok {
		return s
	}
	s := &listShape{}
	s.Flights, s.Size = maxListFlights, maxListBatch
	if s, kept := l.Keep(query, s); kept {
		return s
	}
	return nil
}

// observe folds the time per statement of a run into the moving average (weight 1/8).
func (s *listShape) observe(perStatement time.Duration) {
	old := s.cost.Load()
	s.cost.Store(old + (int64(perStatement)-old)/8)
}

// listRowsBatched runs a list statement, batched with others of its text when it is
// cheap. q must be shared by the requests of a batch (the pool): together decides.
func (t *Table) listRowsBatched(ctx context.Context, q batchQuerier, query string, args []any, cols []*column, hint int) ([]*Record, error) {
	s := t.lists.shape(query)
	if s == nil {
		return t.query(ctx, q, query, args, cols, hint)
	}
	if time.Duration(s.cost.Load()) > maxBatchedListCost {
		start := time.Now()
		recs, err := t.query(ctx, q, query, args, cols, hint)
		s.observe(time.Since(start))
		return recs, err
	}
	return s.Do(ctx, args, func(ctx context.Context, calls []*listCall) {
		start := time.Now()
		t.fetchLists(ctx, q, query, cols, hint, calls)
		s.observe(time.Since(start) / time.Duration(len(calls)))
	})
}

// fetchLists runs the calls' statements in one pipeline. In a pipeline a statement that
// fails makes the ones after it fail too, so each call whose statement failed runs again
// alone, for an answer of its own.
func (t *Table) fetchLists(ctx context.Context, q batchQuerier, query string, cols []*column, hint int, calls []*listCall) {
	if len(calls) == 1 {
		calls[0].Answer(t.query(ctx, q, query, calls[0].Arg, cols, hint))
		return
	}
	var b pgx.Batch
	for _, c := range calls {
		b.Queue(query, c.Arg...)
	}
	var br pgx.BatchResults
	if p, ok := q.(onPool); ok {
		br = p.sendBatchFor(ctx, t, &b) // on the tenant's lane
	} else {
		br = q.SendBatch(ctx, &b)
	}
	var failed []*listCall
	for _, c := range calls {
		rows, err := br.Query()
		var recs []*Record
		if err == nil {
			recs, err = readRows(rows, cols, hint)
		}
		if err != nil {
			failed = append(failed, c)
			continue
		}
		c.Answer(recs, nil)
	}
	_ = br.Close() // every statement's outcome is read above
	for _, c := range failed {
		c.Answer(t.query(ctx, q, query, c.Arg, cols, hint))
	}
}
