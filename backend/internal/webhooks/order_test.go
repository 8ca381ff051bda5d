package webhooks_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/webhooks"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// deliveredEvent is one 2xx-answered event as a receiver decoded it.
type deliveredEvent struct {
	Type          string         `json:"type"`
	Record        map[string]any `json:"record"`
	SchemaVersion int64          `json:"schema_version"`
	Sequence      int64          `json:"sequence"`
}

// successes decodes the receiver's 2xx-answered requests, in the order they arrived.
func successes(t *testing.T, rc *receiver) []deliveredEvent {
	t.Helper()
	var out []deliveredEvent
	for _, h := range rc.got() {
		if h.status < 200 || h.status > 299 {
			continue
		}
		var e deliveredEvent
		if err := json.Unmarshal(h.body, &e); err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// The receiver is down (503) while records are created, updated several times and some
// deleted, and the schema changes twice; two replicas keep retrying. Once it is up,
// every record's events arrive in the order of the changes, each carrying a sequence
// that grows, and the schema changes arrive in order too.
func TestARecordsEventsArriveInOrderAfterAnOutage(t *testing.T) {
	t.Parallel()
	o := fast()
	o.Backoff = []time.Duration{10 * time.Millisecond, 30 * time.Millisecond, 60 * time.Millisecond}
	s := newStack(t, o)
	var down atomic.Bool
	down.Store(true)
	rc := newReceiver(t, func(*http.Request, int) int {
		if down.Load() {
			return http.StatusServiceUnavailable
		}
		return http.StatusNoContent
	})
	s.subscribe(rc.URL, webhooks.EventTypes)
	s.run(o)
	s.run(o)
	ctx := context.Background()
	const records, updates = 12, 4
	ids := make([]int64, records)
	for i := range ids {
		res, err := s.create(fmt.Sprintf(`{"code":"c%d","value":0}`, i))
		if err != nil {
			t.Fatal(err)
		}
		id, _ := res.Records[0].Get("id")
		ids[i] = id.(int64)
	}
	for v := 1; v <= updates; v++ {
		for _, id := range ids {
			if _, err := s.recs.Update(ctx, s.tenant, asAdmin, "event", id, map[string]any{"value": json.Number(fmt.Sprint(v))},
				record.Patch, nil, 0); err != nil {
				t.Fatal(err)
			}
		}
		if v == 2 {
			s.apply(schema.Model{Name: "event", Fields: []schema.Field{{Name: "code", Type: "text", Unique: true},
				{Name: "value", Type: "integer"}, {Name: "note", Type: "text"}}})
		}
		time.Sleep(20 * time.Millisecond) // retries of the earlier events come due meanwhile
	}
	s.apply(schema.Model{Name: "event", Fields: []schema.Field{{Name: "code", Type: "text", Unique: true},
		{Name: "value", Type: "integer"}}})
	for _, id := range ids[:records/2] {
		if _, err := s.recs.Delete(ctx, s.tenant, asAdmin, "event", id, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	time.Sleep(300 * time.Millisecond)
	down.Store(false)
	want := records*(1+updates) + records/2 + 2
	waitFor(t, "every event delivered", func() bool { return len(rc.delivered()) == want })

	last := map[int64]deliveredEvent{}
	var lastSchema int64
	for _, e := range successes(t, rc) {
		if e.Type == webhooks.SchemaChanged {
			if e.SchemaVersion <= lastSchema {
				t.Errorf("schema version %d arrived after %d", e.SchemaVersion, lastSchema)
			}
			lastSchema = e.SchemaVersion
			continue
		}
		id := int64(e.Record["id"].(float64))
		prev, seen := last[id]
		switch {
		case !seen && e.Type != webhooks.RecordCreated:
			t.Errorf("record %d: %s (value %v) arrived before its create", id, e.Type, e.Record["value"])
		case seen && prev.Type == webhooks.RecordDeleted:
			t.Errorf("record %d: %s arrived after its delete", id, e.Type)
		case seen && e.Sequence <= prev.Sequence:
			t.Errorf("record %d: %s (value %v, sequence %d) arrived after %s (value %v, sequence %d)", id,
				e.Type, e.Record["value"], e.Sequence, prev.Type, prev.Record["value"], prev.Sequence)
		case e.Type == webhooks.RecordUpdated && e.Record["value"].(float64) != prev.Record["value"].(float64)+1:
			t.Errorf("record %d: value %v arrived after value %v", id, e.Record["value"], prev.Record["value"])
		}
		last[id] = e
	}
}

// A record's event that can never be delivered blocks that record's later events only
// until it is dead; then they go, in order. Other records are not held up meanwhile.
func TestADeadEventStopsBlockingItsRecord(t *testing.T) {
	t.Parallel()
	o := fast()
	o.Backoff = []time.Duration{100 * time.Millisecond}
	o.MaxAttempts = 3
	s := newStack(t, o)
	var rc *receiver
	rc = newReceiver(t, func(_ *http.Request, n int) int {
		var e deliveredEvent
		_ = json.Unmarshal(rc.got()[n].body, &e)
		if e.Type == webhooks.RecordUpdated && e.Record["value"] == 1.0 {
			return http.StatusUnprocessableEntity
		}
		return http.StatusOK
	})
	s.subscribe(rc.URL, recordEvents)
	ctx := context.Background()
	res, err := s.create(`{"code":"a","value":0}`)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.Records[0].Get("id")
	for v := 1; v <= 3; v++ {
		if _, err := s.recs.Update(ctx, s.tenant, records.Caller{}, "event", id.(int64), map[string]any{"value": json.Number(fmt.Sprint(v))},
			record.Patch, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.create(`{"code":"b"}`); err != nil {
		t.Fatal(err)
	}
	s.run(o)
	waitFor(t, "the other record's create", func() bool { return len(rc.delivered()) >= 2 })
	if n := s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'dead'`); n != 0 {
		t.Fatalf("the other record went before the first failure of record a was even dead? %d dead", n)
	}
	waitFor(t, "every event but the dead one", func() bool { return len(rc.delivered()) == 4 })
	if n := s.count(`SELECT count(*) FROM forma.webhook_deliveries WHERE status = 'dead'`); n != 1 {
		t.Fatalf("%d dead deliveries, want 1", n)
	}
	var values []any
	for _, e := range successes(t, rc) {
		if e.Record["code"] == "a" {
			values = append(values, e.Record["value"])
		}
	}
	if fmt.Sprint(values) != "[0 2 3]" {
		t.Fatalf("record a's values arrived as %v, want [0 2 3]", values)
	}
}

// While a record's first event waits an hour for its retry, its later events are parked
// behind it (due no earlier than it), so claims do not look at them again meanwhile.
func TestLaterEventsWaitBehindARetry(t *testing.T) {
	t.Parallel()
	o := fast()
	o.Backoff = []time.Duration{time.Hour}
	s := newStack(t, o)
	rc := newReceiver(t, func(*http.Request, int) int { return http.StatusInternalServerError })
	s.subscribe(rc.URL, recordEvents)
	res, err := s.create(`{"code":"a","value":0}`)
	if err != nil {
		t.Fatal(err)
	}
	id, _ := res.Records[0].Get("id")
	for v := 1; v <= 3; v++ {
		if _, err := s.recs.Update(context.Background(), s.tenant, records.Caller{}, "event", id.(int64),
			map[string]any{"value": json.Number(fmt.Sprint(v))}, record.Patch, nil, 0); err != nil {
			t.Fatal(err)
		}
	}
	s.run(o)
	waitFor(t, "the later events parked behind the first", func() bool {
		return s.count(`SELECT count(*) FROM forma.webhook_deliveries
			WHERE next_attempt_at > now() + interval '30 minutes'`) == 4
	})
	if n := len(rc.got()); n != 1 {
		t.Fatalf("the receiver got %d requests, want 1 (the first event)", n)
	}
}

// asAdmin is a built-in role's caller: its writes reach every record.
var asAdmin = records.Caller{}
