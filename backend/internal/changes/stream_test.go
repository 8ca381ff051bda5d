package changes_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
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

// An admin key streams the tenant's schema changes, each with its version and plan; the
// stream outlives them. Other keys may not, and the stream takes no filters.
func TestSchemaStream(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/changes", s.tenant.Admin)
	if ev := st.next(t); ev.Name != "ready" {
		t.Fatalf("first %+v", ev)
	}
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/more", s.tenant.Admin, orderModel)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`) // not a schema change: not on this stream
	s.MustJSON(t, http.StatusOK, nil, "DELETE", "/api/v1/t/acme/models/more?allow_data_loss=true", s.tenant.Admin, "")
	for _, want := range []string{`"model":"more"`, `"kind":"drop_table"`} {
		ev := st.next(t)
		var d struct {
			Version int64 `json:"schema_version"`
			Plan    []struct {
				Kind string `json:"kind"`
			} `json:"plan"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || ev.Name != "schema.changed" || d.Version == 0 ||
			len(d.Plan) == 0 || !strings.Contains(ev.Data, want) {
			t.Fatalf("got %+v (%v), want schema.changed with %s", ev, err, want)
		}
	}
	st.quiet(t, 1500*time.Millisecond) // past a recheck: a schema change does not end this stream
	for _, c := range []struct {
		path, key string
		status    int
	}{
		{"/changes", s.tenant.Read, http.StatusForbidden},
		{"/changes", s.tenant.Write, http.StatusForbidden},
		{"/changes?records=maybe", s.tenant.Admin, http.StatusBadRequest},
		{"/changes?country=PL", s.tenant.Admin, http.StatusBadRequest},
	} {
		if _, res := s.try(t, c.path, c.key); res == nil || res.StatusCode != c.status {
			t.Errorf("GET %s: %v, want %d", c.path, res, c.status)
		}
	}
}
