package plan_test

import (
	"encoding/json"
	"strings"
	"testing"

	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

func model(t testing.TB, src string) *schema.Model {
	t.Helper()
	var m schema.Model
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", src, err)
	}
	return &m
}

// brief renders an op as "kind field[>to] [loss] [fail]".
func brief(op plan.Op) string {
	s := string(op.Kind)
	if op.Field != "" {
		s += " " + op.Field
	}
	switch op.Kind {
	case plan.AddUniqueTogether, plan.DropUniqueTogether, plan.AddModelIndex, plan.DropModelIndex:
		s += " " + strings.Join(op.Fields, ",")
	case plan.RenameIndex:
		if len(op.Fields) > 0 { // an index of the model's indexes
			s += " " + strings.Join(op.Fields, ",")
		}
	}
	if op.To != "" && op.Kind == plan.RenameColumn {
		s += ">" + op.To
	}
	if op.DataLoss {
		s += " loss"
	}
	if op.MayFail {
		s += " fail"
	}
	return s
}

func briefs(ops []plan.Op) []string {
	out := make([]string, len(ops))
	for i, op := range ops {
		out[i] = brief(op)
	}
	return out
}

func check(t *testing.T, ops []plan.Op, want ...string) {
	t.Helper()
	if got := briefs(ops); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(want, "\n  "))
	}
	for _, op := range ops {
		if op.Description == "" || op.Model == "" {
			t.Errorf("%s: no description or model", brief(op))
		}
		if len(op.Name) > schema.MaxNameBytes || len(op.To) > schema.MaxNameBytes {
			t.Errorf("%s: name too long", brief(op))
		}
	}
}

const event = `{"name":"event","unique_together":[["country","source"]],"fields":[
	{"id":"1","name":"timestamp","type":"datetime","required":true},
	{"id":"2","name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE"],"default":"PL","index":true},
	{"id":"3","name":"source","type":"text","options":{"max_length":10}},
	{"id":"4","name":"value","type":"integer","unique":true},
	{"id":"5","name":"owner","type":"relation","related_model":"user","options":{"on_delete":"set_null"}}]}`

func TestCreateDrop(t *testing.T) {
	m := model(t, event)
	ops := plan.Model(nil, m)
	check(t, ops, "create_table", "add_unique value", "add_unique_together country,source",
		"add_index country", "add_check country", "add_foreign_key owner")
	c := ops[0]
	if c.Table != m || len(c.Columns) != 5 || c.Columns[1].Type != "varchar(3)" || !c.Columns[1].NotNull ||
		c.Columns[1].Default != "PL" || c.Columns[4].Type != "bigint" {
		t.Errorf("create_table columns: %+v", c.Columns)
	}
	if fk := ops[5]; fk.RefModel != "user" || fk.OnDelete != "set_null" || fk.Name == "" {
		t.Errorf("foreign key: %+v", fk)
	}
	check(t, plan.Model(m, nil), "drop_table loss")
	check(t, plan.Model(m, m))
	check(t, plan.Model(nil, nil))
}

func TestRenameKeepsID(t *testing.T) {
	old := model(t, `{"name":"m","fields":[{"id":"1","name":"title","type":"text","unique":true}]}`)
	next := model(t, `{"name":"m","fields":[{"id":"1","name":"heading","type":"text","unique":true,"label":"H"}]}`)
	ops := plan.Model(old, next)
	check(t, ops, "rename_column title>heading", "rename_constraint heading")
	if ops[1].Name != plan.ConstraintName("m", "key", "title") || ops[1].To != plan.ConstraintName("m", "key", "heading") {
		t.Errorf("constraint rename %q → %q", ops[1].Name, ops[1].To)
	}
	if ops[0].Description != `rename field "title" to "heading"` {
		t.Errorf("description %q", ops[0].Description)
	}
	// Without ids the same change is a drop and an add.
	old.Fields[0].ID, next.Fields[0].ID = "", ""
	check(t, plan.Model(old, next), "drop_unique title", "drop_column title loss", "add_column heading", "add_unique heading")
}

func TestSwap(t *testing.T) {
	old := model(t, `{"name":"m","fields":[{"id":"1","name":"a","type":"text","index":true},{"id":"2","name":"b","type":"text","index":true}]}`)
	next := model(t, `{"name":"m","fields":[{"id":"1","name":"b","type":"text","index":true},{"id":"2","name":"a","type":"text","index":true}]}`)
	ops := plan.Model(old, next)
	tmp := plan.TempName("m", "a")
	check(t, ops, "rename_column a>"+tmp, "rename_column b>a", "rename_column "+tmp+">b",
		"rename_index b", "rename_index a", "rename_index b")
	// Applying the renames in order to the set of names never collides.
	for _, kind := range []plan.Kind{plan.RenameColumn, plan.RenameIndex} {
		names := map[string]bool{"a": true, "b": true,
			plan.ConstraintName("m", "idx", "a"): true, plan.ConstraintName("m", "idx", "b"): true}
		for _, op := range ops {
			from := op.Field
			if kind == plan.RenameIndex {
				from = op.Name
			}
			if op.Kind != kind {
				continue
			}
			if !names[from] || names[op.To] {
				t.Fatalf("%s: %s → %s collides", kind, from, op.To)
			}
			delete(names, from)
			names[op.To] = true
		}
	}
	// A chain needs no temporary name: a→b, b→c.
	chain := model(t, `{"name":"m","fields":[{"id":"1","name":"b","type":"text"},{"id":"2","name":"c","type":"text"}]}`)
	old = model(t, `{"name":"m","fields":[{"id":"1","name":"a","type":"text"},{"id":"2","name":"b","type":"text"}]}`)
	check(t, plan.Model(old, chain), "rename_column b>c", "rename_column a>b")
}
