package records

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"forma.dev/backend/internal/apperr"
)

// TestImportClock: a wait past Stall cancels the import with its cause and interrupts
// the body; a stopped clock cancels nothing, and no outcome but an error is explained
// (a commit that succeeded is never answered "nothing was written").
func TestImportClock(t *testing.T) {
	var interrupted atomic.Bool
	o := ImportOptions{ChunkTimeout: time.Hour, Stall: 20 * time.Millisecond, Interrupt: func() { interrupted.Store(true) }}
	ctx, k := startImportClock(context.Background(), o)
	defer k.release()
	k.waiting()
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("a stalled wait was not canceled")
	}
	if context.Cause(ctx) != errImportStalled || !interrupted.Load() || !k.canceled() {
		t.Fatalf("cause %v, interrupted %v", context.Cause(ctx), interrupted.Load())
	}
	if e := apperr.As(k.explain(context.Canceled, o)); e == nil || e.Code != apperr.Stalled {
		t.Fatalf("explained as %v", e)
	}
	if err := k.explain(nil, o); err != nil {
		t.Fatalf("a success explained as %v", err)
	}

	o = ImportOptions{ChunkTimeout: time.Millisecond, MaxDuration: time.Millisecond}
	ctx, k = startImportClock(context.Background(), o)
	k.stop()
	time.Sleep(30 * time.Millisecond)
	if ctx.Err() != nil || k.canceled() {
		t.Fatalf("a stopped clock canceled: %v", context.Cause(ctx))
	}
	if err := errors.New("x"); k.explain(err, o) != err {
		t.Fatal("an error not of the clock explained")
	}
	k.release()
}
