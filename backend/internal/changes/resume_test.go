package changes_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

// A client that reconnects with Last-Event-ID gets every change made while it was away,
// and nothing it had already.
func TestResumeGetsWhatWasMissed(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	st.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	seen := st.next(t)
	st.close()
	for i := 2; i <= 4; i++ {
		s.write(t, "POST", "", fmt.Sprintf(`{"country":"PL","amount":%d}`, i))
	}
	back := s.open(t, "/data/orders/changes", s.tenant.Read, "Last-Event-ID", seen.ID)
	if ev := back.next(t); ev.Name != "ready" || ev.ID != seen.ID {
		t.Fatalf("resumed with %+v, want ready at %s", ev, seen.ID)
	}
	for i := 2; i <= 4; i++ {
		if r := back.next(t).record(t); r["amount"] != float64(i) {
			t.Fatalf("resumed: got %v, want amount %d", r, i)
		}
	}
	back.quiet(t, 300*time.Millisecond)
}

// A position older than the resume window gets a reset event (reload), then the
// changes after it.
func TestExpiredPositionGetsReset(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *config.Config) { c.Changes.Retention = 2 * time.Second })
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	ready := st.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	st.next(t)
	st.close()
	time.Sleep(2500 * time.Millisecond)
	if err := s.App.Changes.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	back := s.open(t, "/data/orders/changes", s.tenant.Read, "Last-Event-ID", ready.ID)
	if ev := back.next(t); ev.Name != "reset" || ev.ID == ready.ID {
		t.Fatalf("got %+v, want reset with a new position", ev)
	}
	s.write(t, "POST", "", `{"country":"PL","amount":2}`)
	if r := back.next(t).record(t); r["amount"] != 2.0 {
		t.Fatalf("after reset: %v", r)
	}
}

// A client too slow for its buffer has its stream ended with the position to resume
// from; resuming again and again, it gets every change once, in order.
func TestSlowClientOverflowsAndLosesNothing(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *config.Config) { c.Changes.Buffer = 5 })
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	st.next(t)
	const n = 60
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf(`{"country":"PL","amount":%d}`, i)
	}
	s.write(t, "POST", "", "["+strings.Join(rows, ",")+"]")
	got, overflows := 0, 0
	for got < n {
		ev := st.next(t)
		switch ev.Name {
		case "ready":
		case "record.created":
			if r := ev.record(t); r["amount"] != float64(got) {
				t.Fatalf("event %d: amount %v", got, r["amount"])
			}
			got++
		case "overflow":
			overflows++
			if rest := st.ended(t); len(rest) != 0 {
				t.Fatalf("events after overflow: %+v", rest)
			}
			st = s.open(t, "/data/orders/changes", s.tenant.Read, "Last-Event-ID", ev.ID)
		default:
			t.Fatalf("unexpected %+v", ev)
		}
	}
	if overflows == 0 {
		t.Fatal("a buffer of 5 never overflowed with 60 changes at once")
	}
	st.quiet(t, 300*time.Millisecond)
	t.Logf("%d overflows", overflows)
}

// Bad input is refused before the stream opens.
func TestBadInputIsRefusedBeforeTheStream(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/other", s.tenant.Admin, orderModel)
	other := s.open(t, "/data/other/changes", s.tenant.Read)
	otherID := other.next(t).ID
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	id := st.next(t).ID
	num, _, _ := strings.Cut(id, "-")
	for _, c := range []struct {
		name, path string
		header     []string
		status     int
	}{
		{"unknown field", "/data/orders/changes?nosuch=1", nil, 400},
		{"bad value", "/data/orders/changes?amount=x", nil, 400},
		{"sort", "/data/orders/changes?sort=amount", nil, 400},
		{"limit", "/data/orders/changes?limit=1", nil, 400},
		{"unknown model", "/data/nosuch/changes", nil, 404},
		{"malformed id", "/data/orders/changes", []string{"Last-Event-ID", "abc"}, 400},
		{"bare number", "/data/orders/changes", []string{"Last-Event-ID", num}, 400},
		{"other model's id", "/data/orders/changes", []string{"Last-Event-ID", otherID}, 400},
		{"id from the future", "/data/orders/changes", []string{"Last-Event-ID", "99999" + strings.TrimPrefix(id, num)}, 400},
	} {
		stream, res := s.try(t, c.path, s.tenant.Read, c.header...)
		if stream != nil || res.StatusCode != c.status || res.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s: %v, want %d problem", c.name, res.Status, c.status)
		}
	}
}
