// Package logbuf buffers the process log: one line per request written straight to
// stderr is one write system call per request, a measurable share of a small request's
// cost. Lines are written in batches instead, at least every FlushEvery.
package logbuf

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// FlushEvery bounds how long a line waits in the buffer.
const FlushEvery = 100 * time.Millisecond

// size is the buffer: a full buffer is written at once.
const size = 64 << 10

// Writer is a buffered, concurrency-safe writer that flushes by itself.
type Writer struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

// New buffers w until Close.
func New(w io.Writer) *Writer {
	b := &Writer{buf: bufio.NewWriterSize(w, size), stop: make(chan struct{}), done: make(chan struct{})}
	go b.flushLoop()
	return b
}

// Write buffers p; slog writes one whole line per call.
func (b *Writer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// Flush writes what is buffered.
func (b *Writer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Flush()
}

// Close stops the flushing and writes what is left; what is written after Close stays
// in the buffer until a Flush, so close it last.
func (b *Writer) Close() error {
	close(b.stop)
	<-b.done
	return b.Flush()
}

func (b *Writer) flushLoop() {
	defer close(b.done)
	t := time.NewTicker(FlushEvery)
	defer t.Stop()
	for {
		select {
		case <-b.stop:
			return
		case <-t.C:
			_ = b.Flush()
		}
	}
}
