package schemasync_test

import (
	"context"
	"testing"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/schema"
)

const eventJSON = `{"name": "event", "unique_together": [["country", "source"]], "fields": [
	{"name": "timestamp", "type": "datetime", "required": true, "options": {"auto_now_add": true}},
	{"name": "country", "type": "text", "required": true, "options": {"max_length": 3},
	 "choices": ["PL", "DE", "US"], "default": "PL", "index": true},
	{"name": "source", "type": "text", "options": {"max_length": 10}},
	{"name": "value", "type": "integer", "options": {"min": 0}},
	{"name": "owner", "type": "relation", "related_model": "person", "options": {"on_delete": "set_null"}}]}`

const personJSON = `{"name": "person", "fields": [{"name": "email", "type": "email", "unique": true, "required": true}]}`

func TestApplyCreatesThenNoop(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	if r := e.put(personJSON, schemasync.Options{}); r.Version != 1 || !r.Changed {
		t.Fatalf("first apply: version %d changed %v", r.Version, r.Changed)
	}
	r := e.put(eventJSON, schemasync.Options{Actor: "test"})
	if r.Version != 2 || len(r.SQL) == 0 {
		t.Fatalf("second apply: %+v", r)
	}
	t.Logf("SQL:\n%s", joinLines(r.SQL))
	e.noDrift()
	again := e.put(eventJSON, schemasync.Options{})
	if again.Changed || again.Version != 2 || len(again.SQL) != 0 {
		t.Fatalf("unchanged definition: %+v", again)
	}
	if n := e.count("SELECT count(*) FROM forma.schema_history WHERE tenant_id = ?", e.tenant.ID); n != 2 {
		t.Fatalf("history rows: %d", n)
	}
}

// TestNoopWhateverTheNameOrder: names that sort differently in Go and in a locale
// collation ("a_b", "ab") still compare equal to what was stored.
func TestNoopWhateverTheNameOrder(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	var models []schema.Model
	for _, n := range []string{"ab", "a_b", "a1", "b"} {
		models = append(models, schema.Model{Name: n, Fields: []schema.Field{{Name: "x", Type: "text"}}})
	}
	ctx := context.Background()
	if _, err := e.engine.ApplySchema(ctx, e.tenant, models, schemasync.Options{}); err != nil {
		t.Fatal(err)
	}
	r, err := e.engine.ApplySchema(ctx, e.tenant, models, schemasync.Options{})
	if err != nil || r.Changed || r.Version != 1 {
		t.Fatalf("second apply: %+v %v", r, err)
	}
}

func joinLines(s []string) string {
	out := ""
	for _, l := range s {
		out += l + "\n"
	}
	return out
}
