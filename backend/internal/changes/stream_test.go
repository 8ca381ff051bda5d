package changes_test

import (
	"fmt"
	"testing"
	"time"
)

// Creates, updates and deletes arrive in order, named as webhooks name them, each with
// its record as the list API answers it and the schema version.
func TestChangesArriveInOrderWithTheirNames(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/data/orders/changes", s.tenant.Read)
	if ev := st.next(t); ev.Name != "ready" || ev.ID == "" {
		t.Fatalf("first event %+v, want ready with an id", ev)
	}
	rec := s.write(t, "POST", "", `{"country":"PL","amount":1,"note":"a"}`)
	id := fmt.Sprint(rec["id"])
	s.write(t, "PATCH", "/"+id, `{"amount":2}`)
	s.write(t, "DELETE", "/"+id, "")
	var last string
	for _, want := range []struct {
		name   string
		amount float64
	}{{"record.created", 1}, {"record.updated", 2}, {"record.deleted", 2}} {
		ev := st.next(t)
		r := ev.record(t)
		if ev.Name != want.name || r["amount"] != want.amount || fmt.Sprint(r["id"]) != id {
			t.Fatalf("got %+v, want %s with amount %v", ev, want.name, want.amount)
		}
		if ev.ID == "" || ev.ID == last {
			t.Fatalf("event id %q after %q", ev.ID, last)
		}
		last = ev.ID
	}
	st.quiet(t, 300*time.Millisecond)
}
