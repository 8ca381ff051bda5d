package records

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Batching of concurrent reads. Under load most of a small read's cost is its round
// trip to Postgres (a write and a wake-up on each side), not the lookup itself, so
// reads that arrive while others like them are in flight wait, and the first flight to
// finish hands all of them to one of them, which runs them in one round trip: one
// statement for reads by id (getbatch.go), one pipeline of statements for lists
// (listbatch.go). A read that finds a flight free goes at once, alone, with the same
// statement as ever: batching adds no wait when there is nothing to wait for. Every
// read still sees a snapshot taken after it arrived. Single-row creates wait and go
// together the same way, committed as one group (groupcommit.go).

// shared reports whether reads through q may run in a batch on behalf of other
// requests: a batch runs through its leader's q, so never through what one caller holds
// for itself, a transaction (which sees that caller's uncommitted writes) or a
// connection taken from the pool.
func shared(q Querier) bool {
	switch q.(type) {
	case pgx.Tx, *pgxpool.Conn, *pgx.Conn:
		return false
	}
	return true
}

// batchTimeout bounds a batch, which runs on behalf of several requests and so
// outlives the request that happens to run it.
const batchTimeout = 30 * time.Second

// batcher holds the calls of one kind (a table's reads by id, one list statement, or a
// table's single-row creates) in flight and waiting. flights and size are set before
// first use.
type batcher[A any] struct {
	flights int // calls or batches in flight at once
	size    int // the most calls one batch holds

	mu       sync.Mutex
	inFlight int
	queue    []*call[A]
}

// call is one read or create. done, for a call that waits, is closed when recs and err
// are set, or when the call must lead: run lead, the batch it heads, for everyone in it.
type call[A any] struct {
	arg      A
	recs     []*Record
	err      error
	answered bool
	lead     []*call[A]
	done     chan struct{}
}

// answer sets a call's outcome and wakes the call, unless the call runs the batch itself.
func (c *call[A]) answer(recs []*Record, err error) {
	c.recs, c.err, c.answered = recs, err, true
	if c.done != nil && c.lead == nil {
		close(c.done)
	}
}

// fetcher runs a batch: it answers every call. ctx is the request's for a call alone,
// and one bounded by batchTimeout, not cancelled with any request, for several.
type fetcher[A any] func(ctx context.Context, calls []*call[A])

// do runs one call through the batcher.
func (b *batcher[A]) do(ctx context.Context, arg A, fetch fetcher[A]) ([]*Record, error) {
	c := &call[A]{arg: arg}
	b.mu.Lock()
	if b.inFlight < b.flights {
		b.inFlight++
		b.mu.Unlock()
		b.run(ctx, []*call[A]{c}, fetch)
		return c.recs, c.err
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
		b.run(ctx, c.lead, fetch)
	}
	return c.recs, c.err
}

// leave takes a call that stopped waiting out of the queue; false when it has left
// already, taken into a batch (as its leader or not).
func (b *batcher[A]) leave(c *call[A]) bool {
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

// run fetches a batch, then hands the flight on.
func (b *batcher[A]) run(ctx context.Context, calls []*call[A], fetch fetcher[A]) {
	defer b.handOff() // even if fetch panics: the flight must not stay taken
	defer func() {
		p := recover() // a bug must fail the calls that wait, not leave them waiting
		for _, c := range calls {
			if p != nil && !c.answered {
				c.answer(nil, fmt.Errorf("records: a batched call failed: %v", p))
			}
		}
		if p != nil {
			panic(p)
		}
	}()
	if len(calls) == 1 {
		fetch(ctx, calls)
		return
	}
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), batchTimeout)
	defer cancel()
	fetch(bctx, calls)
}

// handOff gives the waiting calls, if any, to the first of them (the flight goes on in
// that call's goroutine), or frees the flight.
func (b *batcher[A]) handOff() {
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.inFlight--
		b.mu.Unlock()
		return
	}
	n := min(len(b.queue), b.size)
	next := b.queue[:n:n]
	b.queue = append([]*call[A](nil), b.queue[n:]...)
	b.mu.Unlock()
	next[0].lead = next
	close(next[0].done)
}

// waiting is how many calls wait (for tests).
func (b *batcher[A]) waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}
