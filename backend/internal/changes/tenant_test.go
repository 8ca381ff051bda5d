package changes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

// With records=true the tenant's stream carries every model's record changes, each
// naming its model, and its schema changes, all in commit order, writers of several
// models racing.
func TestTenantStreamWithRecords(t *testing.T) {
	t.Parallel()
	s := start(t)
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/other", s.tenant.Admin, orderModel)
	st := s.open(t, "/changes?records=true", s.tenant.Admin)
	if ev := st.next(t); ev.Name != "ready" {
		t.Fatalf("first %+v", ev)
	}
	const each = 20
	var wg sync.WaitGroup
	for _, model := range []string{"orders", "other"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				if rec := s.Do("POST", "/api/v1/t/acme/data/"+model, s.tenant.Write, fmt.Sprintf(`{"country":"PL","amount":%d}`, i)); rec.Code != 201 {
					t.Errorf("create: %d %s", rec.Code, rec.Body)
				}
			}
		}()
	}
	wg.Wait()
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/more", s.tenant.Admin, orderModel)
	var last int64
	next := map[string]float64{}
	for range 2 * each {
		ev := st.next(t)
		n, _ := strconv.ParseInt(strings.SplitN(ev.ID, "-", 2)[0], 10, 64)
		var d struct {
			Model  string         `json:"model"`
			Record map[string]any `json:"record"`
		}
		if err := json.Unmarshal([]byte(ev.Data), &d); err != nil || ev.Name != "record.created" || n <= last {
			t.Fatalf("got %+v (%v) after position %d", ev, err, last)
		}
		if d.Record["amount"] != next[d.Model] {
			t.Fatalf("%s: amount %v, want %v", d.Model, d.Record["amount"], next[d.Model])
		}
		last, next[d.Model] = n, next[d.Model]+1
	}
	if next["orders"] != each || next["other"] != each {
		t.Fatalf("per model: %v", next)
	}
	if ev := st.next(t); ev.Name != "schema.changed" || !strings.Contains(ev.Data, `"model":"more"`) {
		t.Fatalf("then %+v, want the schema change", ev)
	}
}

// The tenant's whole stream is told to reload when it resumes from a position older
// than the resume window, as a model's is.
func TestTenantStreamResetsPastTheWindow(t *testing.T) {
	t.Parallel()
	s := start(t, func(c *config.Config) { c.Changes.Retention = 2 * time.Second })
	st := s.open(t, "/changes?records=true", s.tenant.Admin)
	ready := st.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	st.next(t)
	time.Sleep(2500 * time.Millisecond) // the lease is renewed: the stream is open
	if err := s.App.Changes.Sweep(context.Background()); err != nil {
		t.Fatal(err)
	}
	st.close()
	back := s.open(t, "/changes?records=true", s.tenant.Admin, "Last-Event-ID", ready.ID)
	if ev := back.next(t); ev.Name != "reset" {
		t.Fatalf("got %+v, want reset", ev)
	}
}

// A new stream of the tenant's whole feed starts from now, though the feed's lease (and
// log) outlived the stream before it.
func TestTenantStreamStartsFromNow(t *testing.T) {
	t.Parallel()
	s := start(t)
	st := s.open(t, "/changes?records=true", s.tenant.Admin)
	st.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":1}`)
	st.next(t)
	st.close()
	again := s.open(t, "/changes?records=true", s.tenant.Admin)
	again.next(t)
	s.write(t, "POST", "", `{"country":"PL","amount":2}`)
	if r := again.next(t).record(t); r["amount"] != 2.0 {
		t.Fatalf("a new stream got %v first", r)
	}
}
