package schemasync_test

import (
	"context"
	"strings"
	"testing"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// indexDef returns the definition Postgres keeps of the tenant's index name (pg_indexes),
// "" when there is none.
func (e *env) indexDef(name string) string {
	e.t.Helper()
	var defs []string
	if err := e.db.NewRaw("SELECT indexdef FROM pg_indexes WHERE schemaname = ? AND indexname = ?",
		e.tenant.Schema, name).Scan(context.Background(), &defs); err != nil {
		e.t.Fatal(err)
	}
	if len(defs) == 0 {
		return ""
	}
	return defs[0]
}

// indexOID returns the oid of the tenant's index name, to tell a rename from a rebuild.
func (e *env) indexOID(name string) int64 {
	e.t.Helper()
	return e.count("SELECT c.oid::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = ? AND c.relname = ?",
		e.tenant.Schema, name)
}

// modelIndexes lists the names of the tenant's table's indexes made for the model's indexes.
func (e *env) modelIndexes(table string) []string {
	e.t.Helper()
	var names []string
	if err := e.db.NewRaw("SELECT indexname FROM pg_indexes WHERE schemaname = ? AND tablename = ? AND indexname LIKE '%\\_ix\\_%' ORDER BY 1",
		e.tenant.Schema, table).Scan(context.Background(), &names); err != nil {
		e.t.Fatal(err)
	}
	return names
}

func wantKinds(t *testing.T, ops []plan.Op, want ...plan.Kind) {
	t.Helper()
	got := make([]plan.Kind, len(ops))
	for i, op := range ops {
		got[i] = op.Kind
	}
	if len(got) != len(want) {
		t.Fatalf("plan %v, want %v", got, want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("plan %v, want %v", got, want)
		}
	}
}

// TestIndexesOnTableWithRows adds, changes, renames and drops indexes of the model's
// indexes on a table that holds rows, checking what Postgres has after each step.
func TestIndexesOnTableWithRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "event", "fields": [
		{"name": "timestamp", "type": "datetime", "required": true, "options": {"auto_now_add": true}},
		{"name": "country", "type": "text", "required": true, "options": {"max_length": 3}, "index": true},
		{"name": "source", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.event (country, source, timestamp)
		SELECT (ARRAY['PL','DE','US'])[1 + n % 3], 'web', now() - n * interval '1 minute' FROM generate_series(1, 500) n`)
	rows := func(step string) {
		t.Helper()
		if n := e.count("SELECT count(*) FROM t_acme.event"); n != 500 {
			t.Fatalf("%s: %d rows left", step, n)
		}
	}
	first := []string{"country", "-timestamp", "id"}
	firstName := plan.IndexName("event", first)

	// Add: the index is built on the rows there are.
	res := e.update("event", schemasync.Options{}, func(m *schema.Model) {
		m.Indexes = [][]string{first, {"-created_at"}}
	})
	wantKinds(t, res.Ops, plan.AddModelIndex, plan.AddModelIndex)
	if res.Ops[0].MayFail || res.Ops[0].DataLoss {
		t.Errorf("add_model_index flagged: %+v", res.Ops[0])
	}
	want := `CREATE INDEX ` + firstName + ` ON t_acme.event USING btree (country, "timestamp" DESC, id)`
	if got := e.indexDef(firstName); got != want {
		t.Fatalf("pg_indexes:\n got %s\nwant %s", got, want)
	}
	if got := e.indexDef(plan.IndexName("event", []string{"-created_at"})); !strings.HasSuffix(got, "USING btree (created_at DESC)") {
		t.Fatalf("pg_indexes: %s", got)
	}
	rows("add")
	e.noDrift()

	// Unchanged (in another list order): nothing to do.
	if res := e.update("event", schemasync.Options{}, func(m *schema.Model) {
		m.Indexes = [][]string{{"-created_at"}, first}
	}); len(res.Ops) != 0 {
		t.Fatalf("reordered indexes planned %d ops", len(res.Ops))
	}

	// Change a direction: another index.
	second := []string{"country", "timestamp", "id"}
	res = e.update("event", schemasync.Options{}, func(m *schema.Model) {
		m.Indexes = [][]string{second, {"-created_at"}}
	})
	wantKinds(t, res.Ops, plan.DropModelIndex, plan.AddModelIndex)
	if e.indexDef(firstName) != "" {
		t.Fatalf("%s is still there", firstName)
	}
	if got := e.indexDef(plan.IndexName("event", second)); !strings.HasSuffix(got, `USING btree (country, "timestamp", id)`) {
		t.Fatalf("pg_indexes: %s", got)
	}
	rows("change")
	e.noDrift()

	// Rename a field the index uses: the same index (same oid), renamed, on the renamed column.
	oid := e.indexOID(plan.IndexName("event", second))
	res = e.update("event", schemasync.Options{}, func(m *schema.Model) {
		field(m, "country").Name = "land"
		m.Indexes = [][]string{{"land", "timestamp", "id"}, {"-created_at"}}
	})
	wantKinds(t, res.Ops, plan.RenameColumn, plan.RenameIndex, plan.RenameIndex) // the field's own index too
	renamed := plan.IndexName("event", []string{"land", "timestamp", "id"})
	if got := e.indexDef(renamed); !strings.HasSuffix(got, `USING btree (land, "timestamp", id)`) {
		t.Fatalf("after the rename, pg_indexes: %q", got)
	}
	if e.indexOID(renamed) != oid {
		t.Errorf("the index was rebuilt, not renamed")
	}
	rows("rename")
	e.noDrift()

	// Drop the field: its index goes first, the other stays.
	res = e.update("event", schemasync.Options{AllowDataLoss: true}, func(m *schema.Model) {
		m.Fields = append(m.Fields[:1], m.Fields[2:]...) // land
		m.Indexes = [][]string{{"-created_at"}}
	})
	wantKinds(t, res.Ops, plan.DropIndex, plan.DropModelIndex, plan.DropColumn)
	if got := e.modelIndexes("event"); len(got) != 1 || got[0] != plan.IndexName("event", []string{"-created_at"}) {
		t.Fatalf("indexes left: %v", got)
	}
	rows("drop field")
	e.noDrift()

	// Drop the last index.
	res = e.update("event", schemasync.Options{}, func(m *schema.Model) { m.Indexes = nil })
	wantKinds(t, res.Ops, plan.DropModelIndex)
	if got := e.modelIndexes("event"); len(got) != 0 {
		t.Fatalf("indexes left: %v", got)
	}
	rows("drop")
	e.noDrift()
}

// TestIndexesDrift: an index of the model's indexes dropped by hand, or replaced by one
// with another direction, is drift.
func TestIndexesDrift(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ix := []string{"country", "-timestamp", "id"}
	e.put(`{"name": "event", "indexes": [["country", "-timestamp", "id"]], "fields": [
		{"name": "timestamp", "type": "datetime"}, {"name": "country", "type": "text"}]}`, schemasync.Options{})
	e.noDrift()
	e.exec("DROP INDEX t_acme.?", bun.Name(plan.IndexName("event", ix)))
	drift := func() []schemasync.Difference {
		t.Helper()
		rep, err := e.engine.Drift(context.Background(), e.tenant)
		if err != nil {
			t.Fatal(err)
		}
		return rep.Differences
	}
	want := schemasync.Difference{Kind: "missing_model_index", Model: "event", Expected: "[country -timestamp id]"}
	if d := drift(); len(d) != 1 || d[0] != want {
		t.Fatalf("drift after a drop by hand: %+v", d)
	}
	e.exec(`CREATE INDEX by_hand ON t_acme.event (country, "timestamp", id)`) // ascending: another index
	if d := drift(); len(d) != 1 || d[0] != want {
		t.Fatalf("drift with an ascending index: %+v", d)
	}
	e.exec(`CREATE INDEX by_hand_desc ON t_acme.event (country, "timestamp" DESC, id)`) // any name will do
	e.noDrift()
}
