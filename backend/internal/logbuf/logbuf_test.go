package logbuf_test

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/logbuf"
)

// syncBuffer is a bytes.Buffer the test can read while the writer's loop writes to it.
type syncBuffer struct {
	mu     sync.Mutex
	b      bytes.Buffer
	writes int
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writes++
	return s.b.Write(p)
}

func (s *syncBuffer) read() (string, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String(), s.writes
}

func TestLinesArriveInBatchesWithinFlushEvery(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	w := logbuf.New(out)
	defer w.Close()
	for i := range 100 {
		if _, err := w.Write([]byte("line " + strings.Repeat("x", i%7) + "\n")); err != nil {
			t.Fatal(err)
		}
	}
	if got, _ := out.read(); got != "" {
		t.Fatalf("written before any flush: %q", got)
	}
	deadline := time.Now().Add(10 * logbuf.FlushEvery)
	for {
		got, writes := out.read()
		if strings.Count(got, "\n") == 100 {
			if writes != 1 {
				t.Errorf("100 lines took %d writes, want 1", writes)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %s only %d lines arrived", 10*logbuf.FlushEvery, strings.Count(got, "\n"))
		}
		time.Sleep(logbuf.FlushEvery / 10)
	}
}

func TestCloseWritesWhatIsLeft(t *testing.T) {
	t.Parallel()
	out := &syncBuffer{}
	w := logbuf.New(out)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 500 {
				_, _ = w.Write([]byte{byte('a' + g), '\n'})
			}
		}()
	}
	wg.Wait()
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, _ := out.read()
	for g := range 8 {
		if n := strings.Count(got, string(rune('a'+g))+"\n"); n != 500 {
			t.Errorf("writer %d: %d of 500 lines", g, n)
		}
	}
}
