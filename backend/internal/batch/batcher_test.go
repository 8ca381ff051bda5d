package batch_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/batch"
)

// doubler answers each call with twice its argument and notes the size of each batch.
type doubler struct {
	gate  chan struct{} // when set, the first batch waits for it
	mu    sync.Mutex
	sizes []int
}

func (d *doubler) fetch(_ context.Context, calls []*batch.Call[int, int]) {
	d.mu.Lock()
	d.sizes = append(d.sizes, len(calls))
	first := len(d.sizes) == 1
	d.mu.Unlock()
	if first && d.gate != nil {
		<-d.gate
	}
	for _, c := range calls {
		c.Answer(2*c.Arg, nil)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
	}
}

// TestCallsThatWaitGoAsOneBatch: a call that finds the flight free runs alone at once;
// the calls that arrive while it runs wait, then run as one batch, each with its answer.
func TestCallsThatWaitGoAsOneBatch(t *testing.T) {
	t.Parallel()
	b := &batch.Batcher[int, int]{Flights: 1, Size: 10}
	d := &doubler{gate: make(chan struct{})}
	results := make(chan [2]int, 6)
	do := func(arg int) {
		res, err := b.Do(context.Background(), arg, d.fetch)
		if err != nil {
			t.Error(err)
		}
		results <- [2]int{arg, res}
	}
	go do(0)
	waitFor(t, func() bool { return b.InFlight() == 1 })
	for i := 1; i <= 5; i++ {
		go do(i)
	}
	waitFor(t, func() bool { return b.Waiting() == 5 })
	close(d.gate)
	for range 6 {
		if r := <-results; r[1] != 2*r[0] {
			t.Errorf("call %d answered %d", r[0], r[1])
		}
	}
	if len(d.sizes) != 2 || d.sizes[0] != 1 || d.sizes[1] != 5 {
		t.Errorf("batches of %v, want [1 5]", d.sizes)
	}
	if b.InFlight() != 0 {
		t.Error("the flight stays taken")
	}
}

// TestACallThatStopsWaitingLeaves: a waiting call whose context ends returns its error
// and leaves the queue.
func TestACallThatStopsWaitingLeaves(t *testing.T) {
	t.Parallel()
	b := &batch.Batcher[int, int]{Flights: 1, Size: 10}
	d := &doubler{gate: make(chan struct{})}
	defer close(d.gate)
	go func() { _, _ = b.Do(context.Background(), 0, d.fetch) }()
	waitFor(t, func() bool { return b.InFlight() == 1 })
	ctx, cancel := context.WithCancel(context.Background())
	errs := make(chan error, 1)
	go func() { _, err := b.Do(ctx, 1, d.fetch); errs <- err }()
	waitFor(t, func() bool { return b.Waiting() == 1 })
	cancel()
	if err := <-errs; !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if b.Waiting() != 0 {
		t.Error("the call still waits")
	}
}

// TestAPanicFailsTheWaitingCalls: a batch whose fetch panics panics in the goroutine that
// ran it, fails the calls it held, and frees the flight.
func TestAPanicFailsTheWaitingCalls(t *testing.T) {
	t.Parallel()
	b := &batch.Batcher[int, int]{Flights: 1, Size: 10}
	gate := make(chan struct{})
	fetch := func(context.Context, []*batch.Call[int, int]) { <-gate; panic("a bug") }
	outcomes := make(chan string, 3)
	do := func(arg int) {
		defer func() {
			if recover() != nil {
				outcomes <- "panic"
			}
		}()
		if _, err := b.Do(context.Background(), arg, fetch); err != nil {
			outcomes <- "error"
		}
	}
	go do(0)
	waitFor(t, func() bool { return b.InFlight() == 1 })
	go do(1)
	go do(2)
	waitFor(t, func() bool { return b.Waiting() == 2 })
	close(gate)
	got := map[string]int{}
	for range 3 {
		got[<-outcomes]++
	}
	if got["panic"] != 2 || got["error"] != 1 { // the first alone; then a batch of two, run by one of them
		t.Errorf("outcomes %v, want 2 panics and 1 error", got)
	}
	waitFor(t, func() bool { return b.InFlight() == 0 })
}
