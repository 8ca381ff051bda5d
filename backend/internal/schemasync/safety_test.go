package schemasync_test

import (
	"context"
	"strings"
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/schema"
)

func TestSwapNamesKeepsData(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "pair", "fields": [{"name": "a", "type": "text", "unique": true}, {"name": "b", "type": "integer", "index": true}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.pair (a, b) VALUES ('x', 1), ('y', 2)`)
	e.update("pair", schemasync.Options{}, func(m *schema.Model) {
		m.Fields[0].Name, m.Fields[1].Name = "b", "a"
	})
	if n := e.count(`SELECT count(*) FROM t_acme.pair WHERE (b = 'x' AND a = 1) OR (b = 'y' AND a = 2)`); n != 2 {
		t.Fatalf("after the swap %d rows kept their values, want 2", n)
	}
	e.noDrift()
}

func TestFailingStepLeavesEverythingUntouched(t *testing.T) {
	t.Parallel()
	scenarios := []struct {
		name string
		fn   func(m *schema.Model)
		rows int64
	}{
		{"unique over duplicates", func(m *schema.Model) { m.Fields[0].Unique = true }, 3},
		{"required over nulls", func(m *schema.Model) { m.Fields[1].Required = true }, 2},
		{"choices over other values", func(m *schema.Model) { m.Fields[0].Choices = []any{"x"} }, 4},
		{"cast that fails", func(m *schema.Model) { m.Fields[0].Type = "integer"; m.Fields[0].Options = nil }, 5},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t)
			e.put(`{"name": "thing", "fields": [{"name": "code", "type": "text", "options": {"max_length": 5}}, {"name": "n", "type": "integer"}]}`, schemasync.Options{})
			e.exec(`INSERT INTO t_acme.thing (code, n) VALUES ('x', 1), ('y', NULL), ('y', NULL), ('y', 3), ('z', 4)`)
			before := e.state()
			_, err := e.engine.UpdateModel(context.Background(), e.tenant, "thing", func(m *schema.Model) error { sc.fn(m); return nil }, schemasync.Options{})
			ae := wantCode(t, err, apperr.Conflict)
			if ae.Extra["rows"] != sc.rows {
				t.Errorf("rows in the way: %v, want %d (%s)", ae.Extra["rows"], sc.rows, ae.Detail)
			}
			if !strings.Contains(ae.Detail, "step") {
				t.Errorf("detail does not name the step: %s", ae.Detail)
			}
			if after := e.state(); after.Version != before.Version || after.Hash != before.Hash {
				t.Errorf("state moved: %d %s -> %d %s", before.Version, before.Hash, after.Version, after.Hash)
			}
			e.noDrift()
		})
	}
}

func TestDataLossRefusedWithoutTheFlag(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "text"}]}`, schemasync.Options{})
	drop := `{"name": "thing", "fields": [{"name": "a", "type": "text"}]}`
	_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, drop), schemasync.Options{})
	ae := wantCode(t, err, apperr.Conflict)
	if ae.Extra["plan"] == nil {
		t.Fatal("the 409 carries no plan")
	}
	if e.state().Version != 1 {
		t.Fatal("refused change moved the version")
	}
	if r := e.put(drop, schemasync.Options{AllowDataLoss: true}); r.Version != 2 {
		t.Fatalf("with the flag: %+v", r)
	}
	e.noDrift()
}

func TestIfMatchStaleIsPreconditionFailed(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}]}`, schemasync.Options{})
	stale, current := int64(0), int64(1)
	_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, `{"name": "thing", "fields": [{"name": "b", "type": "text"}]}`),
		schemasync.Options{IfMatch: &stale, AllowDataLoss: true})
	wantCode(t, err, apperr.PreconditionFailed)
	if r := e.put(`{"name": "other", "fields": []}`, schemasync.Options{IfMatch: &current}); r.Version != 2 {
		t.Fatalf("fresh If-Match: %+v", r)
	}
}

func TestDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.thing (a) VALUES ('x'), ('x')`)
	r := e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "integer", "default": 1}]}`,
		schemasync.Options{DryRun: true})
	if !r.Changed || r.Version != 2 || len(r.SQL) != 1 {
		t.Fatalf("dry run: %+v", r)
	}
	if e.state().Version != 1 || e.count(`SELECT count(*) FROM information_schema.columns WHERE table_schema = 't_acme' AND column_name = 'b'`) != 0 {
		t.Fatal("a dry run changed something")
	}
	_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, `{"name": "thing", "fields": [{"name": "a", "type": "text", "unique": true}]}`),
		schemasync.Options{DryRun: true})
	if ae := wantCode(t, err, apperr.Conflict); ae.Extra["rows"] != int64(2) {
		t.Fatalf("a dry run does not report the rows in the way: %+v", ae)
	}
}

func TestDriftFindsAColumnDroppedByHand(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "thing", "fields": [{"name": "a", "type": "text", "index": true}, {"name": "b", "type": "integer", "required": true}]}`, schemasync.Options{})
	e.exec(`ALTER TABLE t_acme.thing DROP COLUMN a, ALTER COLUMN b DROP NOT NULL, ADD COLUMN extra int`)
	rep, err := e.engine.Drift(context.Background(), e.tenant)
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]bool{}
	for _, d := range rep.Differences {
		kinds[d.Kind+":"+d.Field] = true
	}
	for _, want := range []string{"missing_column:a", "missing_index:a", "nullability_mismatch:b", "extra_column:extra"} {
		if !kinds[want] {
			t.Errorf("drift misses %s: %+v", want, rep.Differences)
		}
	}
}

func TestHostileNamesAndValues(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, js := range []string{
		`{"name": "x\"; DROP SCHEMA t_acme CASCADE; --", "fields": []}`,
		`{"name": "thing", "fields": [{"name": "a\" text); DROP TABLE x; --", "type": "text"}]}`,
		`{"name": "thing", "fields": [{"id": "x\"y", "name": "a", "type": "text"}]}`,
	} {
		_, err := e.engine.PutModel(context.Background(), e.tenant, model(t, js), schemasync.Options{})
		wantCode(t, err, apperr.Invalid)
	}
	evil := `it's'); DROP SCHEMA t_acme CASCADE; --`
	m := schema.Model{Name: "thing", Fields: []schema.Field{{Name: "a", Type: "text", Default: evil, Choices: []any{evil, "ok"}}}}
	if _, err := e.engine.PutModel(context.Background(), e.tenant, m, schemasync.Options{}); err != nil {
		t.Fatal(err)
	}
	e.exec(`INSERT INTO t_acme.thing DEFAULT VALUES`)
	if n := e.count(`SELECT count(*) FROM t_acme.thing WHERE a = ?`, evil); n != 1 {
		t.Fatal("the hostile default was not stored as a value")
	}
	e.noDrift()
}
