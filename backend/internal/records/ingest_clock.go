package records

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"forma.dev/backend/internal/apperr"
)

// The causes an import's clock cancels it with.
var (
	// errImportChunkTimeout: a chunk ran past ChunkTimeout.
	errImportChunkTimeout = errors.New("records: an import chunk ran past the statement timeout")
	// errImportStalled: the body sent no row for Stall while the transaction was open.
	errImportStalled = errors.New("records: the body of an import stalled")
	// errImportTooLong: the transaction was open for MaxDuration.
	errImportTooLong = errors.New("records: an import ran past its longest duration")
)

// importClock bounds an import while its transaction is open: the working time of each
// chunk (ChunkTimeout, not counting waits for the body: the client's pace is not the
// database's), each wait for the next row (Stall: a paused client must not hold a
// connection, a transaction and a lock that a schema change of the model waits on), and
// the whole (MaxDuration). Past one, it cancels the import's context with its cause and
// calls Interrupt, to end a wait for the body under way. Once stopped it cancels
// nothing: a commit is never told it timed out. A nil clock bounds nothing.
type importClock struct {
	chunkTimeout, stall time.Duration
	cancel              context.CancelCauseFunc
	interrupt           func()
	chunkTimer          *time.Timer
	watch               *time.Timer // Stall and MaxDuration
	begun               time.Time
	maxDuration         time.Duration

	start atomic.Int64 // when the chunk began (unix ns)
	idle  atomic.Int64 // ns of the chunk spent waiting for rows
	since atomic.Int64 // when the wait under way began; 0: none
	fired atomic.Bool

	mu      sync.Mutex
	stopped bool
	cause   error
}

// startImportClock starts the clock of o's bounds (none set: nil, ctx as it is).
func startImportClock(ctx context.Context, o ImportOptions) (context.Context, *importClock) {
	if o.ChunkTimeout <= 0 && o.Stall <= 0 && o.MaxDuration <= 0 {
		return ctx, nil
	}
	ctx, cancel := context.WithCancelCause(ctx)
	k := &importClock{chunkTimeout: o.ChunkTimeout, stall: o.Stall, maxDuration: o.MaxDuration,
		cancel: cancel, interrupt: o.Interrupt, begun: time.Now()}
	k.start.Store(k.begun.UnixNano())
	if k.chunkTimeout > 0 {
		k.chunkTimer = time.AfterFunc(k.chunkTimeout, k.checkChunk)
	}
	if d := k.watchEvery(); d > 0 {
		k.watch = time.AfterFunc(d, k.checkWatch)
	}
	return ctx, k
}

// watchEvery is how often the stall and the duration are looked at: a quarter of the
// shorter, so that either is noticed within a quarter past it; 0: neither is bounded.
func (k *importClock) watchEvery() time.Duration {
	d := k.stall
	if d <= 0 || k.maxDuration > 0 && k.maxDuration < d {
		d = k.maxDuration
	}
	return max(d/4, time.Millisecond)
}

// fire cancels the import with cause, unless the clock was stopped.
func (k *importClock) fire(cause error) {
	k.mu.Lock()
	if k.stopped || k.cause != nil {
		k.mu.Unlock()
		return
	}
	k.cause = cause
	k.fired.Store(true)
	k.cancel(cause)
	k.mu.Unlock()
	if k.interrupt != nil {
		k.interrupt()
	}
}

// checkChunk runs when the chunk's timeout may have passed: it cancels, or looks again
// when the chunk's working time would reach it.
func (k *importClock) checkChunk() {
	if k.isStopped() {
		return
	}
	now := time.Now().UnixNano()
	used := now - k.start.Load() - k.idle.Load()
	if s := k.since.Load(); s != 0 {
		used -= now - s
	}
	if used >= int64(k.chunkTimeout) {
		k.fire(errImportChunkTimeout)
		return
	}
	k.chunkTimer.Reset(k.chunkTimeout - time.Duration(used))
}

// checkWatch looks at the wait under way and at the whole duration.
func (k *importClock) checkWatch() {
	if k.isStopped() {
		return
	}
	now := time.Now()
	switch s := k.since.Load(); {
	case k.maxDuration > 0 && now.Sub(k.begun) >= k.maxDuration:
		k.fire(errImportTooLong)
	case k.stall > 0 && s != 0 && now.UnixNano()-s >= int64(k.stall):
		k.fire(errImportStalled)
	default:
		k.watch.Reset(k.watchEvery())
		return
	}
}

// chunk begins the next chunk.
func (k *importClock) chunk() {
	if k != nil {
		k.idle.Store(0)
		k.start.Store(time.Now().UnixNano())
	}
}

// waiting and waited bracket a wait for the next row.
func (k *importClock) waiting() {
	if k != nil {
		k.since.Store(time.Now().UnixNano())
	}
}

func (k *importClock) waited() {
	if k != nil {
		if s := k.since.Swap(0); s != 0 {
			k.idle.Add(time.Now().UnixNano() - s)
		}
	}
}

// canceled reports whether the clock has canceled the import.
func (k *importClock) canceled() bool { return k != nil && k.fired.Load() }

func (k *importClock) isStopped() bool {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.stopped || k.cause != nil
}

// stop ends the clock: from its return on, it cancels nothing.
func (k *importClock) stop() {
	if k == nil {
		return
	}
	k.mu.Lock()
	k.stopped = true
	k.mu.Unlock()
	if k.chunkTimer != nil {
		k.chunkTimer.Stop()
	}
	if k.watch != nil {
		k.watch.Stop()
	}
}

// release frees the clock's context once the import is over.
func (k *importClock) release() {
	if k != nil {
		k.stop()
		k.cancel(nil)
	}
}

// explain is err, the error of a canceled import, as the user error its cause is; any
// other error as it is. Only the writing's errors are explained: a commit's never are.
func (k *importClock) explain(err error, o ImportOptions) error {
	if k == nil || err == nil || errors.Is(err, errRefused) {
		return err
	}
	k.mu.Lock()
	cause := k.cause
	k.mu.Unlock()
	switch cause {
	case errImportChunkTimeout:
		return &apperr.Error{Code: apperr.Timeout, Err: err,
			Detail: fmt.Sprintf("a chunk of the import ran longer than the tenant's statement timeout (statement_timeout_ms), which bounds each chunk of %d rows; nothing was written", importChunk)}
	case errImportStalled:
		return &apperr.Error{Code: apperr.Stalled, Err: err,
			Detail: fmt.Sprintf("the body stalled: no row arrived for %s (FORMA_IMPORT_STALL); nothing was written", o.Stall)}
	case errImportTooLong:
		return &apperr.Error{Code: apperr.Timeout, Err: err,
			Detail: fmt.Sprintf("the import ran longer than %s (FORMA_IMPORT_MAX_DURATION); nothing was written: send it in parts", o.MaxDuration)}
	}
	return err
}
