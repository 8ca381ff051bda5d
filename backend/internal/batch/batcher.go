// Package batch runs concurrent calls of one kind together. Under load most of a small
// call's cost is its round trip to Postgres (a write and a wake-up on each side), not
// the work itself, so the calls that arrive while others like them are in flight wait,
// and the first flight to finish hands all of them to one of them, which runs them in
// one round trip (one statement, or one pipeline of statements). A call that finds a
// flight free goes at once, alone: batching adds no wait when there is nothing to wait
// for. What a batch runs, and how each call gets its own answer, is the caller's.
package batch

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Timeout bounds a batch, which runs on behalf of several requests and so outlives the
// request that happens to run it.
const Timeout = 30 * time.Second

// Batcher holds the calls of one kind in flight and waiting: A is what a call asks, R
// what it is answered. Flights and Size are set before first use.
type Batcher[A, R any] struct {
	Flights int // calls or batches in flight at once
	Size    int // the most calls one batch holds

	mu       sync.Mutex
	inFlight int
	queue    []*Call[A, R]
}

// Call is one call. done, for a call that waits, is closed when its answer is set, or
// when the call must lead: run lead, the batch it heads, for everyone in it.
type Call[A, R any] struct {
	Arg      A
	res      R
	err      error
	answered bool
	lead     []*Call[A, R]
	done     chan struct{}
}

// Answer sets a call's outcome and wakes the call, unless the call runs the batch itself.
func (c *Call[A, R]) Answer(res R, err error) {
	c.res, c.err, c.answered = res, err, true
	if c.done != nil && c.lead == nil {
		close(c.done)
	}
}

// Fetcher runs a batch: it answers every call. ctx is the request's for a call alone,
// and one bounded by Timeout, not cancelled with any request, for several.
type Fetcher[A, R any] func(ctx context.Context, calls []*Call[A, R])

// Do runs one call through the batcher.
func (b *Batcher[A, R]) Do(ctx context.Context, arg A, fetch Fetcher[A, R]) (R, error) {
	c := &Call[A, R]{Arg: arg}
	b.mu.Lock()
	if b.inFlight < b.Flights {
		b.inFlight++
		b.mu.Unlock()
		b.run(ctx, []*Call[A, R]{c}, fetch)
		return c.res, c.err
	}
	c.done = make(chan struct{})
	b.queue = append(b.queue, c)
	b.mu.Unlock()
	select {
	case <-c.done:
	case <-ctx.Done():
		if b.leave(c) {
			var zero R
			return zero, ctx.Err()
		}
		<-c.done // already in a batch: answered, or to be run by this call for the others
	}
	if c.lead != nil {
		b.run(ctx, c.lead, fetch)
	}
	return c.res, c.err
}

// leave takes a call that stopped waiting out of the queue; false when it has left
// already, taken into a batch (as its leader or not).
func (b *Batcher[A, R]) leave(c *Call[A, R]) bool {
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
func (b *Batcher[A, R]) run(ctx context.Context, calls []*Call[A, R], fetch Fetcher[A, R]) {
	defer b.handOff() // even if fetch panics: the flight must not stay taken
	defer func() {
		p := recover() // a bug must fail the calls that wait, not leave them waiting
		for _, c := range calls {
			if p != nil && !c.answered {
				var zero R
				c.Answer(zero, fmt.Errorf("batch: a batched call failed: %v", p))
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
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), Timeout)
	defer cancel()
	fetch(bctx, calls)
}

// handOff gives the waiting calls, if any, to the first of them (the flight goes on in
// that call's goroutine), or frees the flight.
func (b *Batcher[A, R]) handOff() {
	b.mu.Lock()
	if len(b.queue) == 0 {
		b.inFlight--
		b.mu.Unlock()
		return
	}
	n := min(len(b.queue), b.Size)
	next := b.queue[:n:n]
	b.queue = append([]*Call[A, R](nil), b.queue[n:]...)
	b.mu.Unlock()
	next[0].lead = next
	close(next[0].done)
}

// Waiting is how many calls wait.
func (b *Batcher[A, R]) Waiting() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue)
}

// InFlight is how many calls or batches are in flight.
func (b *Batcher[A, R]) InFlight() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.inFlight
}
