package schemasync

import (
	"context"
	"sync"
	"testing"
	"time"
)

// The turns of many tenants, taken and released concurrently, leave no gate behind:
// the engine holds gates only for tenants being changed.
func TestGatesAreRemovedWhenUnused(t *testing.T) {
	e := New(nil, WithLockTimeout(time.Second))
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			release, err := e.turn(context.Background(), int64(i%20))
			if err != nil {
				t.Error(err)
				return
			}
			time.Sleep(time.Millisecond)
			release()
		}()
	}
	wg.Wait()
	ctx, cancel := context.WithCancel(context.Background())
	release, _ := e.turn(ctx, 1)
	cancel()
	if _, err := e.turn(ctx, 1); err == nil {
		t.Error("a cancelled wait got the turn")
	}
	release()
	if n := len(e.gates); n != 0 {
		t.Fatalf("%d gates left after every apply ended", n)
	}
}
