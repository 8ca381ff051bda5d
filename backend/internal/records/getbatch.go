package records

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Batching of reads by id. Under load most of a read's cost is its round trip to
// Postgres (a write and a wake-up on each side), not the index lookup, so concurrent
// reads of one table share a statement: while maxGetFlights reads are in flight, the
// reads that arrive wait, and the first flight to finish hands all of them to one of
// them, which reads them with one `WHERE id = ANY($1)`. A read that finds a flight free
// goes at once, alone, with the same statement as ever: batching adds no wait when
// there is nothing to wait for. Every read still sees a snapshot taken after it arrived.
const (
	maxGetFlights = 1
	maxGetBatch   = 1000
	// getTimeout bounds a batch, which runs on behalf of several requests and so
	// outlives the request that happens to run it.
	getTimeout = 30 * time.Second
)

// getBatcher is one table's reads by id, in flight and waiting.
type getBatcher struct {
	mu       sync.Mutex
	inFlight int
	queue    []*getCall
}

// getCall is one read by id. done, for a call that waits, is closed when rec and err
// are set, or when the call must lead: run lead, the batch it heads, for everyone in it.
type getCall struct {
	id   int64
	rec  *Record
	err  error
	lead []*getCall
	done chan struct{}
}

// get reads one row by id through the batcher; nil when there is none.
func (b *getBatcher) get(ctx context.Context, t *Table, q Querier, id int64) (*Record, error) {
	c := &getCall{id: id}
	b.mu.Lock()
	if b.inFlight < maxGetFlights {
		b.inFlight++
		b.mu.Unlock()
		b.run(ctx, t, q, []*getCall{c})
		return c.rec, c.err
	}
	c.done = make(chan struct{})
	b.queue = append(b.queue, c)
	b.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		if b.leave(c) {
			return nil, ctx.Err()
		}
		<-c.done // already in a batch: read, or to be run by this call for the others
	}
	if c.lead != nil {
		b.run(ctx, t, q, c.lead)
	}
	return c.rec, c.err
}

// leave takes a call that stopped waiting out of the queue; false when it has left
// already, taken into a batch (as its leader or not).
func (b *getBatcher) leave(c *getCall) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i, x := range b.queue {
		if x == c {
			b.queue = append(b.queue[:i], b.queue[i+1:]...)
			return true
		}
	}
	return false
}

// run reads a batch and answers its calls, then hands the flight on.
// A read alone runs under its request's ctx; a batch, on behalf of all its requests.
func (b *getBatcher) run(ctx context.Context, t *Table, q Querier, calls []*getCall) {
	defer b.handOff() // even if fetch panics: the flight must not stay taken
	if len(calls) == 1 {
		t.fetch(ctx, q, calls)
		return
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), getTimeout)
	defer cancel()
	t.fetch(bctx, q, calls)
}

// handOff gives the waiting calls, if any, to the first of them (the flight goes on in
// that call's goroutine), or frees the flight.
func (b *getBatcher) handOff() {
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.inFlight--
		b.mu.Unlock()
		return
	}
	n := min(len(b.queue), maxGetBatch)
	next := b.queue[:n:n]
	b.queue = append([]*getCall(nil), b.queue[n:]...)
	b.mu.Unlock()
	next[0].lead = next
	close(next[0].done)
}

// fetch reads the calls' rows in one statement and answers every call but a leader's
// own, whose goroutine is running this.
func (t *Table) fetch(ctx context.Context, q Querier, calls []*getCall) {
	defer func() {
		p := recover() // a bug must fail the reads that wait, not leave them waiting
		for _, c := range calls {
			if p != nil {
				c.rec, c.err = nil, fmt.Errorf("records: reading %s by id: %v", t.Model.Name, p)
			}
			if c.done != nil && c.lead == nil {
				close(c.done)
			}
		}
		if p != nil {
			panic(p)
		}
	}()
	if len(calls) == 1 {
		c := calls[0]
		recs, err := t.query(ctx, q, t.getSQL, []any{c.id}, t.columns, 1)
		if c.err = err; len(recs) > 0 {
			c.rec = recs[0]
		}
		return
	}
	ids := make([]int64, len(calls))
	for i, c := range calls {
		ids[i] = c.id
	}
	recs, err := t.query(ctx, q, t.getManySQL, []any{ids}, t.columns, len(ids))
	byID := make(map[int64]*Record, len(recs))
	for _, r := range recs {
		byID[deref(r.vals[0]).(int64)] = r // id is the first column
	}
	given := make(map[int64]bool, len(calls))
	for _, c := range calls {
		c.rec, c.err = byID[c.id], err
		if c.rec != nil && given[c.id] {
			// the same id twice in a batch: each request owns its record (expand changes it)
			c.rec = &Record{cols: c.rec.cols, vals: slices.Clone(c.rec.vals)}
		}
		given[c.id] = true
	}
}
