package schemasync_test

import (
	"context"
	"testing"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// update changes model name with fn through the engine and fails the test on an error.
func (e *env) update(name string, o schemasync.Options, fn func(m *schema.Model)) *schemasync.Result {
	e.t.Helper()
	res, err := e.engine.UpdateModel(context.Background(), e.tenant, name, func(m *schema.Model) error {
		fn(m)
		return nil
	}, o)
	if err != nil {
		e.t.Fatalf("update %s: %v", name, err)
	}
	return res
}

func field(m *schema.Model, name string) *schema.Field {
	f, ok := m.Field(name)
	if !ok {
		panic("no field " + name)
	}
	return f
}

// TestEveryOpOnTablesWithRows walks one table holding rows through every op kind, checking
// after each step that the rows are still there and the live schema matches.
func TestEveryOpOnTablesWithRows(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.put(`{"name": "person", "fields": [{"name": "nick", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.person (nick) VALUES ('ann')`)
	e.put(`{"name": "item", "fields": [{"name": "name", "type": "text", "required": true, "options": {"max_length": 50}},
		{"name": "qty", "type": "integer"}, {"name": "tmp", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.item (name, qty) VALUES ('a', 1), ('b', 2), ('c', NULL)`)
	seen := map[plan.Kind]bool{plan.CreateTable: true}
	all := schemasync.Options{AllowDataLoss: true}
	steps := []struct {
		name string
		fn   func(m *schema.Model)
	}{
		{"add nullable", func(m *schema.Model) { m.Fields = append(m.Fields, schema.Field{Name: "note", Type: "text"}) }},
		{"add required with default", func(m *schema.Model) {
			m.Fields = append(m.Fields, schema.Field{Name: "status", Type: "text", Required: true, Default: "new",
				Options: fieldtype.Options{"max_length": 10.0}})
		}},
		{"rename", func(m *schema.Model) { field(m, "note").Name = "remark" }},
		{"retype", func(m *schema.Model) { field(m, "qty").Type = "float" }},
		{"require with default", func(m *schema.Model) { f := field(m, "qty"); f.Required, f.Default = true, 0.0 }},
		{"optional, no default", func(m *schema.Model) { f := field(m, "qty"); f.Required, f.Default = false, nil }},
		{"constraints", func(m *schema.Model) {
			field(m, "name").Unique = true
			f := field(m, "status")
			f.Index, f.Choices = true, []any{"new", "old"}
			m.UniqueTogether = [][]string{{"name", "status"}}
			m.Indexes = [][]string{{"status", "-qty", "id"}}
			m.Fields = append(m.Fields, schema.Field{Name: "owner", Type: "relation", RelatedModel: "person",
				Options: fieldtype.Options{"on_delete": "cascade"}})
		}},
		{"rename constrained", func(m *schema.Model) {
			field(m, "name").Name = "title"
			field(m, "status").Name = "state"
			field(m, "owner").Name = "holder"
			m.UniqueTogether = [][]string{{"title", "state"}}
			m.Indexes = [][]string{{"state", "-qty", "id"}}
		}},
		{"drop constraints", func(m *schema.Model) {
			field(m, "title").Unique = false
			f := field(m, "state")
			f.Index, f.Choices = false, nil
			m.UniqueTogether = nil
			m.Indexes = nil
			field(m, "holder").RelatedModel = ""
			field(m, "holder").Type = "integer"
			field(m, "holder").Options = nil
		}},
		{"drop field", func(m *schema.Model) {
			m.Fields = append(m.Fields[:2], m.Fields[3:]...) // "tmp"
		}},
	}
	for _, st := range steps {
		res := e.update("item", all, st.fn)
		for _, op := range res.Ops {
			seen[op.Kind] = true
		}
		if n := e.count("SELECT count(*) FROM t_acme.item"); n != 3 {
			t.Fatalf("%s: %d rows left", st.name, n)
		}
		e.noDrift()
	}
	if got := e.count(`SELECT count(*) FROM t_acme.item WHERE remark IS NULL AND state = 'new' AND qty IS NOT NULL`); got != 3 {
		t.Fatalf("values after the walk: %d rows as expected, want 3", got)
	}
	if _, err := e.engine.DeleteModel(context.Background(), e.tenant, "item", all); err != nil {
		t.Fatal(err)
	}
	seen[plan.DropTable] = true
	e.noDrift()
	for _, k := range []plan.Kind{plan.AddColumn, plan.DropColumn, plan.RenameColumn, plan.AlterType, plan.SetNotNull,
		plan.DropNotNull, plan.SetDefault, plan.DropDefault, plan.AddUnique, plan.DropUnique, plan.AddIndex, plan.DropIndex,
		plan.AddForeignKey, plan.DropForeignKey, plan.AddCheck, plan.DropCheck, plan.AddUniqueTogether,
		plan.DropUniqueTogether, plan.AddModelIndex, plan.DropModelIndex, plan.RenameConstraint, plan.RenameIndex} {
		if !seen[k] {
			t.Errorf("no step ran a %s op", k)
		}
	}
}
