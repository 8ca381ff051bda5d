package records

import (
	"context"
	"sync/atomic"
	"time"
)

// chunkClock cancels an import whose current chunk has run longer than its timeout,
// not counting the time spent waiting for rows (the client's pace is not the
// database's). A nil clock bounds nothing.
type chunkClock struct {
	timeout time.Duration
	cancel  context.CancelCauseFunc
	timer   *time.Timer
	start   atomic.Int64 // when the chunk began (unix ns)
	idle    atomic.Int64 // ns of the chunk spent waiting for rows
	since   atomic.Int64 // when the wait under way began; 0: none
}

// startChunkClock starts the clock of the first chunk; ctx is canceled, with cause
// errImportChunkTimeout, when a chunk runs past timeout (0: never).
func startChunkClock(ctx context.Context, timeout time.Duration) (context.Context, *chunkClock) {
	if timeout <= 0 {
		return ctx, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	k := &chunkClock{timeout: timeout, cancel: cancel}
	k.start.Store(time.Now().UnixNano())
	k.timer = time.AfterFunc(timeout, k.check)
	return ctx, k
}

// check runs when the timeout may have passed: it cancels, or looks again when the
// chunk's working time would reach it.
func (k *chunkClock) check() {
	now := time.Now().UnixNano()
	used := now - k.start.Load() - k.idle.Load()
	if s := k.since.Load(); s != 0 {
		used -= now - s
	}
	if used >= int64(k.timeout) {
		k.cancel(errImportChunkTimeout)
		return
	}
	k.timer.Reset(k.timeout - time.Duration(used))
}

// chunk begins the next chunk.
func (k *chunkClock) chunk() {
	if k != nil {
		k.idle.Store(0)
		k.start.Store(time.Now().UnixNano())
	}
}

// waiting and waited bracket a wait for the next row.
func (k *chunkClock) waiting() {
	if k != nil {
		k.since.Store(time.Now().UnixNano())
	}
}

func (k *chunkClock) waited() {
	if k != nil {
		if s := k.since.Swap(0); s != 0 {
			k.idle.Add(time.Now().UnixNano() - s)
		}
	}
}

func (k *chunkClock) stop() {
	if k != nil {
		k.timer.Stop()
		k.cancel(nil)
	}
}
