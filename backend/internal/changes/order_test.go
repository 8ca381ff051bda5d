package changes_test

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// Writers racing on one model: a stream gets every change once, positions rising. A
// position drawn before a slower transaction commits would otherwise be passed over by
// a reader already past the positions after it.
func TestConcurrentWritersKeepCommitOrder(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	st.next(t)
	const writers, each = 8, 25
	var wg sync.WaitGroup
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				rec := s.Do("POST", "/api/v1/t/acme/data/orders", s.tenant.Write, fmt.Sprintf(`{"country":"PL","amount":%d}`, w*1000+i))
				if rec.Code != 201 {
					t.Errorf("create: %d %s", rec.Code, rec.Body)
				}
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	var last int64
	for range writers * each {
		ev := st.next(t)
		n, _ := strconv.ParseInt(strings.SplitN(ev.ID, "-", 2)[0], 10, 64)
		if n <= last {
			t.Fatalf("position %d after %d", n, last)
		}
		last = n
		id := fmt.Sprint(ev.record(t)["id"])
		if seen[id] {
			t.Fatalf("record %s twice", id)
		}
		seen[id] = true
	}
}
