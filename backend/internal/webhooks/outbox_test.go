package webhooks_test

import (
	"context"
	"encoding/json"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/webhooks"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

var recordEvents = []string{webhooks.RecordCreated, webhooks.RecordUpdated, webhooks.RecordDeleted}

// A create, a bulk create of two, an update and a delete: five events, each delivered
// once, signed, with the documented payload.
func TestRecordWritesAreDeliveredSignedExactlyAsWritten(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, nil)
	sub := s.subscribe(rc.URL, recordEvents, "event")
	ctx := context.Background()
	one, err := s.create(`{"code":"a","value":1}`)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.create(`{"code":"b"}`, `{"code":"c"}`); err != nil {
		t.Fatal(err)
	}
	id, _ := one.Records[0].Get("id")
	if _, err := s.recs.Update(ctx, s.tenant, records.Caller{}, "event", id.(int64), map[string]any{"value": json.Number("2")}, record.Patch, nil, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := s.recs.Delete(ctx, s.tenant, records.Caller{}, "event", id.(int64), nil, 0); err != nil {
		t.Fatal(err)
	}
	s.run(fast())
	waitFor(t, "5 deliveries", func() bool { return len(rc.delivered()) == 5 })
	time.Sleep(100 * time.Millisecond)
	hits := rc.got()
	if len(hits) != 5 {
		t.Fatalf("receiver got %d requests, want 5", len(hits))
	}
	wantTypes := map[string]int{"record.created": 3, "record.updated": 1, "record.deleted": 1}
	for _, h := range hits {
		ts, _ := strconv.ParseInt(h.ts, 10, 64)
		if !webhooks.Verify(sub.Secret, h.id, ts, h.body, h.sig) || time.Since(time.Unix(ts, 0)) > time.Minute {
			t.Errorf("%s: signature %q does not verify", h.id, h.sig)
		}
		var p struct {
			Type, Tenant, Model, Timestamp string
			Record                         map[string]any
			SchemaVersion                  int64 `json:"schema_version"`
			Sequence                       int64
		}
		if err := json.Unmarshal(h.body, &p); err != nil {
			t.Fatal(err)
		}
		if h.id != webhooks.MessageID(p.Sequence) {
			t.Errorf("%s: sequence %d is not the event's id", h.id, p.Sequence)
		}
		wantTypes[p.Type]--
		if p.Tenant != "acme" || p.Model != "event" || p.SchemaVersion != 1 || p.Record["code"] == nil {
			t.Errorf("payload %s", h.body)
		}
		if _, err := time.Parse(time.RFC3339, p.Timestamp); err != nil {
			t.Errorf("timestamp %q: %v", p.Timestamp, err)
		}
	}
	for typ, n := range wantTypes {
		if n != 0 {
			t.Errorf("%s: %d more or fewer than expected", typ, n)
		}
	}
}

// A bulk write that fails (a unique violation in the database, or validation before it)
// rolls back with its events: nothing is written, nothing delivered.
func TestARolledBackWriteEmitsNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, nil)
	s.subscribe(rc.URL, recordEvents)
	if _, err := s.create(`{"code":"x"}`, `{"code":"x"}`); err == nil {
		t.Fatal("a bulk write with a duplicate unique value succeeded")
	}
	if _, err := s.create(`{"code":"y"}`, `{"value":"not a number"}`); err == nil {
		t.Fatal("a bulk write with an invalid record succeeded")
	}
	s.run(fast())
	time.Sleep(300 * time.Millisecond)
	if n := s.count(`SELECT count(*) FROM forma.webhook_events`); n != 0 {
		t.Fatalf("%d events after rolled-back writes", n)
	}
	if n := s.count(`SELECT count(*) FROM t_acme.event`); n != 0 {
		t.Fatalf("%d records after rolled-back writes", n)
	}
	if len(rc.got()) != 0 {
		t.Fatalf("receiver got %d requests", len(rc.got()))
	}
}

// counting wraps the service to count what the data API asks of it.
type counting struct {
	*webhooks.Service
	wanted, emits atomic.Int64
}

func (c *counting) Wants(ctx context.Context, tenantID int64, model, event string) bool {
	ok := c.Service.Wants(ctx, tenantID, model, event)
	if ok {
		c.wanted.Add(1)
	}
	return ok
}

func (c *counting) Emit(ctx context.Context, tx pgx.Tx, tenantID int64, model, event string, v int64, recs []*records.Record) error {
	c.emits.Add(1)
	return c.Service.Emit(ctx, tx, tenantID, model, event, v, recs)
}

// Writes to a model nobody listens to are answered "no" from memory, so the data API
// writes without a transaction and without an event.
func TestWritesNobodyListensToPayNothing(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	s.apply(schema.Model{Name: "other", Fields: []schema.Field{{Name: "n", Type: "integer"}}})
	c := &counting{Service: s.hooks}
	s.recs.Events = c
	rc := newReceiver(t, nil)
	s.subscribe(rc.URL, []string{webhooks.RecordDeleted}, "event") // another event of the model
	s.subscribe(rc.URL, []string{webhooks.RecordCreated}, "other") // the event on another model
	ctx := context.Background()
	for range 3 {
		if _, err := s.create(`{"code":null}`); err != nil {
			t.Fatal(err)
		}
	}
	if c.wanted.Load() != 0 || c.emits.Load() != 0 {
		t.Fatalf("wanted %d, emitted %d; want 0, 0", c.wanted.Load(), c.emits.Load())
	}
	if !s.hooks.Wants(ctx, s.tenant.ID, "other", webhooks.RecordCreated) || s.hooks.Wants(ctx, s.tenant.ID+1, "other", webhooks.RecordCreated) {
		t.Fatal("Wants does not tell the subscribed model and tenant apart")
	}
	if _, err := s.recs.Create(ctx, s.tenant, records.Caller{}, "other", []map[string]any{{"n": json.Number("1")}}, 0); err != nil {
		t.Fatal(err)
	}
	if c.wanted.Load() != 1 || c.emits.Load() != 1 || s.count(`SELECT count(*) FROM forma.webhook_events`) != 1 {
		t.Fatalf("a listened write: wanted %d, emitted %d", c.wanted.Load(), c.emits.Load())
	}
}

// A schema change writes schema.changed with the models it touched and its plan.
func TestSchemaChangesAreDelivered(t *testing.T) {
	t.Parallel()
	s := newStack(t, fast())
	rc := newReceiver(t, nil)
	sub := s.subscribe(rc.URL, []string{webhooks.SchemaChanged})
	s.subscribe(rc.URL, []string{webhooks.SchemaChanged}, "unrelated")
	s.apply(schema.Model{Name: "event", Fields: []schema.Field{
		{Name: "code", Type: "text", Unique: true}, {Name: "value", Type: "integer"}, {Name: "note", Type: "text"}}})
	s.run(fast())
	waitFor(t, "a delivery", func() bool { return len(rc.delivered()) == 1 })
	time.Sleep(100 * time.Millisecond)
	hits := rc.got()
	if len(hits) != 1 {
		t.Fatalf("got %d requests, want 1 (the filtered subscription must not get one)", len(hits))
	}
	h := hits[0]
	ts, _ := strconv.ParseInt(h.ts, 10, 64)
	var p webhooks.SchemaPayload
	if err := json.Unmarshal(h.body, &p); err != nil || !webhooks.Verify(sub.Secret, h.id, ts, h.body, h.sig) {
		t.Fatalf("%s: %v", h.body, err)
	}
	if p.Type != "schema.changed" || p.Tenant != "acme" || p.SchemaVersion != 2 || len(p.Models) != 1 ||
		p.Models[0] != "event" || len(p.Plan) != 1 || p.Plan[0].Field != "note" {
		t.Fatalf("payload %s", h.body)
	}
}
