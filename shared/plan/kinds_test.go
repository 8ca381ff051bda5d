package plan_test

import (
	"strings"
	"testing"

	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

func TestFieldChanges(t *testing.T) {
	scenarios := []struct {
		name, old, next string // the field "x" (id 1) of model m; "" for none
		want            []string
	}{
		{"add optional", ``, `"type":"text"`, []string{"add_column x"}},
		{"add required", ``, `"type":"text","required":true`, []string{"add_column x fail"}},
		{"add required with default", ``, `"type":"text","required":true,"default":"a"`, []string{"add_column x"}},
		{"add unique with default", ``, `"type":"text","unique":true,"default":"a"`, []string{"add_column x", "add_unique x fail"}},
		{"add relation", ``, `"type":"relation","related_model":"m"`, []string{"add_column x", "add_foreign_key x"}},
		{"drop", `"type":"text","index":true`, ``, []string{"drop_index x", "drop_column x loss"}},
		{"text to integer", `"type":"text"`, `"type":"integer"`, []string{"alter_type x fail"}},
		{"integer to float", `"type":"integer"`, `"type":"float"`, []string{"alter_type x"}},
		{"float to integer", `"type":"float"`, `"type":"integer"`, []string{"alter_type x loss fail"}},
		{"shorter text", `"type":"text","options":{"max_length":10}`, `"type":"text","options":{"max_length":3}`, []string{"alter_type x fail"}},
		{"longer text", `"type":"text","options":{"max_length":3}`, `"type":"text","options":{"max_length":10}`, []string{"alter_type x"}},
		{"unbounded text", `"type":"text","options":{"max_length":3}`, `"type":"text"`, []string{"alter_type x"}},
		{"smaller scale", `"type":"decimal","options":{"precision":10,"scale":2}`, `"type":"decimal","options":{"precision":10,"scale":1}`, []string{"alter_type x loss"}},
		{"fewer digits", `"type":"decimal","options":{"precision":10,"scale":2}`, `"type":"decimal","options":{"precision":6,"scale":2}`, []string{"alter_type x fail"}},
		{"more digits", `"type":"decimal","options":{"precision":10,"scale":2}`, `"type":"decimal","options":{"precision":12,"scale":2}`, []string{"alter_type x"}},
		{"app-only options", `"type":"integer","options":{"min":1}`, `"type":"integer","options":{"min":2,"max":9}`, nil},
		{"pattern", `"type":"text"`, `"type":"text","options":{"pattern":"^a","min_length":2}`, nil},
		{"text to email, same column", `"type":"text"`, `"type":"email"`, nil},
		{"set required", `"type":"text"`, `"type":"text","required":true`, []string{"set_not_null x fail"}},
		{"set required with default", `"type":"text"`, `"type":"text","required":true,"default":"a"`, []string{"set_default x", "set_not_null x"}},
		{"drop required", `"type":"text","required":true`, `"type":"text"`, []string{"drop_not_null x"}},
		{"change default", `"type":"text","default":"a"`, `"type":"text","default":"b"`, []string{"set_default x"}},
		{"same default spelled otherwise", `"type":"integer","default":3`, `"type":"integer","default":3.0`, nil},
		{"drop default", `"type":"text","default":"a"`, `"type":"text"`, []string{"drop_default x"}},
		{"add unique", `"type":"text"`, `"type":"text","unique":true`, []string{"add_unique x fail"}},
		{"drop unique", `"type":"text","unique":true`, `"type":"text"`, []string{"drop_unique x"}},
		{"unique to index", `"type":"text","unique":true`, `"type":"text","index":true`, []string{"drop_unique x", "add_index x"}},
		{"add index", `"type":"text"`, `"type":"text","index":true`, []string{"add_index x"}},
		{"drop index", `"type":"text","index":true`, `"type":"text"`, []string{"drop_index x"}},
		{"relation target", `"type":"relation","related_model":"m"`, `"type":"relation","related_model":"n"`,
			[]string{"drop_foreign_key x", "add_foreign_key x fail"}},
		{"on delete", `"type":"relation","related_model":"m"`, `"type":"relation","related_model":"m","options":{"on_delete":"cascade"}`,
			[]string{"drop_foreign_key x", "add_foreign_key x fail"}},
		{"on delete default spelled out", `"type":"relation","related_model":"m"`, `"type":"relation","related_model":"m","options":{"on_delete":"restrict"}`, nil},
		{"add choices", `"type":"text"`, `"type":"text","choices":["a","b"]`, []string{"add_check x fail"}},
		{"reorder choices", `"type":"text","choices":["a","b"]`, `"type":"text","choices":["b","a"]`, nil},
		{"change choices", `"type":"text","choices":["a","b"]`, `"type":"text","choices":["a"]`, []string{"drop_check x", "add_check x fail"}},
		{"drop choices", `"type":"text","choices":["a","b"]`, `"type":"text"`, []string{"drop_check x"}},
		{"retype with choices and default", `"type":"text","choices":["1","2"],"default":"1"`, `"type":"integer","choices":[1,2],"default":1`,
			[]string{"drop_check x", "drop_default x", "alter_type x fail", "set_default x", "add_check x fail"}},
		{"no conversion", `"type":"boolean"`, `"type":"date"`, []string{"drop_column x loss", "add_column x"}},
		{"relation to integer", `"type":"relation","related_model":"m"`, `"type":"integer"`, []string{"drop_foreign_key x"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			old, next := model(t, `{"name":"m","fields":[]}`), model(t, `{"name":"m","fields":[]}`)
			if sc.old != "" {
				old = model(t, `{"name":"m","fields":[{"id":"1","name":"x",`+sc.old+`}]}`)
			}
			if sc.next != "" {
				next = model(t, `{"name":"m","fields":[{"id":"1","name":"x",`+sc.next+`}]}`)
			}
			ops := plan.Model(old, next)
			check(t, ops, sc.want...)
			if len(ops) == 0 && !schema.Cosmetic(*old, *next) {
				t.Logf("no op but a different hash (an app-only change)")
			}
			if schema.Cosmetic(*old, *next) && len(ops) > 0 {
				t.Errorf("same hash but %d ops", len(ops))
			}
		})
	}
}

func TestOpDetails(t *testing.T) {
	old := model(t, `{"name":"m","fields":[{"id":"1","name":"x","type":"text","choices":["1","2"]}]}`)
	next := model(t, `{"name":"m","fields":[{"id":"1","name":"x","type":"integer","choices":[2,1],"required":true,"default":1}]}`)
	ops := plan.Model(old, next)
	var alter, set, checkOp plan.Op
	for _, op := range ops {
		switch op.Kind {
		case plan.AlterType:
			alter = op
		case plan.SetNotNull:
			set = op
		case plan.AddCheck:
			checkOp = op
		}
	}
	if alter.Column != "bigint" || alter.Cast != "{col}::bigint" || alter.Def == nil || alter.Prev == nil || alter.Prev.Type != "text" {
		t.Errorf("alter_type: %+v", alter)
	}
	if set.Default != int64(1) || set.MayFail {
		t.Errorf("set_not_null backfills with the default: %+v", set)
	}
	if len(checkOp.Choices) != 2 || checkOp.Choices[0] != int64(2) || checkOp.Name != plan.ConstraintName("m", "check", "x") {
		t.Errorf("add_check: %+v", checkOp)
	}
}

func TestUniqueTogether(t *testing.T) {
	fields := `"fields":[{"id":"1","name":"a","type":"text"},{"id":"2","name":"b","type":"text"},{"id":"3","name":"c","type":"text"}]`
	old := model(t, `{"name":"m","unique_together":[["a","b"]],`+fields+`}`)
	check(t, plan.Model(old, model(t, `{"name":"m","unique_together":[["b","a"]],`+fields+`}`)))
	check(t, plan.Model(old, model(t, `{"name":"m","unique_together":[["a","b"],["b","c"]],`+fields+`}`)),
		"add_unique_together b,c fail")
	check(t, plan.Model(old, model(t, `{"name":"m",`+fields+`}`)), "drop_unique_together a,b")
	renamed := model(t, `{"name":"m","unique_together":[["z","b"]],"fields":[{"id":"1","name":"z","type":"text"},{"id":"2","name":"b","type":"text"},{"id":"3","name":"c","type":"text"}]}`)
	check(t, plan.Model(old, renamed), "rename_column a>z", "rename_constraint")
	dropped := model(t, `{"name":"m","unique_together":[["b","c"]],"fields":[{"id":"2","name":"b","type":"text"},{"id":"3","name":"c","type":"text"}]}`)
	check(t, plan.Model(old, dropped), "drop_unique_together a,b", "drop_column a loss", "add_unique_together b,c fail")
	added := model(t, `{"name":"m","unique_together":[["a","d"]],"fields":[{"id":"1","name":"a","type":"text"},{"id":"2","name":"b","type":"text"},{"id":"3","name":"c","type":"text"},{"name":"d","type":"text"}]}`)
	check(t, plan.Model(old, added), "drop_unique_together a,b", "add_column d", "add_unique_together a,d")
}

func TestIndexes(t *testing.T) {
	fields := `"fields":[{"id":"1","name":"country","type":"text"},{"id":"2","name":"timestamp","type":"datetime"},{"id":"3","name":"data","type":"json"}]`
	m := func(indexes string) *schema.Model {
		return model(t, `{"name":"event","indexes":`+indexes+`,`+fields+`}`)
	}
	old := m(`[["country","-timestamp","id"],["-created_at"]]`)
	ops := plan.Model(nil, old)
	check(t, ops, "create_table", "add_model_index country,-timestamp,id", "add_model_index -created_at")
	add := ops[1]
	if add.Name != plan.IndexName("event", []string{"country", "-timestamp", "id"}) || add.MayFail || add.DataLoss ||
		add.Description != `index fields "country", "timestamp" descending, "id"` {
		t.Errorf("add_model_index: %+v", add)
	}
	if !strings.HasPrefix(add.Name, "event_country_timestamp_id_ix_") {
		t.Errorf("name %q", add.Name)
	}

	check(t, plan.Model(old, m(`[["-created_at"],["country","-timestamp","id"]]`))) // list order does not matter
	check(t, plan.Model(old, m(`[["country","-timestamp","id"],["-created_at"],["timestamp"]]`)), "add_model_index timestamp")
	check(t, plan.Model(old, m(`[["-created_at"]]`)), "drop_model_index country,-timestamp,id")
	// Another direction or column order is another index.
	check(t, plan.Model(old, m(`[["country","timestamp","id"],["-created_at"]]`)),
		"drop_model_index country,-timestamp,id", "add_model_index country,timestamp,id")
	check(t, plan.Model(old, m(`[["-timestamp","country","id"],["-created_at"]]`)),
		"drop_model_index country,-timestamp,id", "add_model_index -timestamp,country,id")

	// A renamed field keeps its index, which is renamed with it.
	renamed := model(t, `{"name":"event","indexes":[["land","-timestamp","id"],["-created_at"]],"fields":[
		{"id":"1","name":"land","type":"text"},{"id":"2","name":"timestamp","type":"datetime"},{"id":"3","name":"data","type":"json"}]}`)
	ops = plan.Model(old, renamed)
	check(t, ops, "rename_column country>land", "rename_index land,-timestamp,id")
	if r := ops[1]; r.Name != plan.IndexName("event", []string{"country", "-timestamp", "id"}) ||
		r.To != plan.IndexName("event", []string{"land", "-timestamp", "id"}) {
		t.Errorf("rename_index %q → %q", r.Name, r.To)
	}

	// A dropped field takes its index first; an added field gets its index after it.
	dropped := model(t, `{"name":"event","indexes":[["-created_at"],["source","-id"]],"fields":[
		{"id":"2","name":"timestamp","type":"datetime"},{"id":"3","name":"data","type":"json"},{"name":"source","type":"text"}]}`)
	check(t, plan.Model(old, dropped), "drop_model_index country,-timestamp,id", "drop_column country loss",
		"add_column source", "add_model_index source,-id")

	// A field that must be dropped and added (no conversion) gets its index again.
	retyped := model(t, `{"name":"event","indexes":[["country","-timestamp","id"],["-created_at"]],"fields":[
		{"id":"1","name":"country","type":"text"},{"id":"2","name":"timestamp","type":"boolean"},{"id":"3","name":"data","type":"json"}]}`)
	check(t, plan.Model(old, retyped), "drop_model_index country,-timestamp,id", "drop_column timestamp loss",
		"add_column timestamp", "add_model_index country,-timestamp,id")

	// Swapping two indexed fields' names swaps the indexes' names through a temporary one.
	a := model(t, `{"name":"m","indexes":[["a"],["-b"]],"fields":[{"id":"1","name":"a","type":"text"},{"id":"2","name":"b","type":"text"}]}`)
	b := model(t, `{"name":"m","indexes":[["b"],["-a"]],"fields":[{"id":"1","name":"b","type":"text"},{"id":"2","name":"a","type":"text"}]}`)
	ops = plan.Model(a, b)
	names := map[string]bool{plan.IndexName("m", []string{"a"}): true, plan.IndexName("m", []string{"-b"}): true}
	for _, op := range ops {
		if op.Kind != plan.RenameIndex {
			continue
		}
		if !names[op.Name] || names[op.To] {
			t.Fatalf("%s → %s collides", op.Name, op.To)
		}
		delete(names, op.Name)
		names[op.To] = true
	}
	if !names[plan.IndexName("m", []string{"b"})] || !names[plan.IndexName("m", []string{"-a"})] || len(names) != 2 {
		t.Errorf("after the renames: %v", names)
	}

	// Names: direction and order count; an index ["a"] is not the index of a field "a".
	distinct := map[string]bool{}
	for _, n := range []string{
		plan.IndexName("m", []string{"a", "b"}), plan.IndexName("m", []string{"a", "-b"}),
		plan.IndexName("m", []string{"b", "a"}), plan.IndexName("m", []string{"a"}), plan.ConstraintName("m", "idx", "a"),
	} {
		distinct[n] = true
	}
	if len(distinct) != 5 {
		t.Errorf("index names collide: %v", distinct)
	}
}

func TestSchema(t *testing.T) {
	person := `{"name":"person","fields":[{"id":"1","name":"pet","type":"relation","related_model":"pet"}]}`
	pet := `{"name":"pet","fields":[{"id":"1","name":"owner","type":"relation","related_model":"person"}]}`
	both := []schema.Model{*model(t, pet), *model(t, person)}
	ops := plan.Schema(nil, both)
	check(t, ops, "create_table", "create_table", "add_foreign_key pet", "add_foreign_key owner")
	if ops[0].Model != "person" || ops[1].Model != "pet" {
		t.Errorf("creates not in name order: %s, %s", ops[0].Model, ops[1].Model)
	}
	check(t, plan.Schema(both, both))
	check(t, plan.Schema(both, nil), "drop_foreign_key pet", "drop_foreign_key owner", "drop_table loss", "drop_table loss")
	// Dropping pet needs person's link to go first.
	alone := []schema.Model{*model(t, `{"name":"person","fields":[]}`)}
	check(t, plan.Schema(both, alone), "drop_foreign_key pet", "drop_column pet loss", "drop_table loss")
}

func TestConversion(t *testing.T) {
	scenarios := []struct {
		from, to   string
		ok         bool
		fail, loss bool
	}{
		{"text", "integer", true, true, false},
		{"integer", "text", true, false, false},
		{"float", "integer", true, true, true},
		{"json", "text", true, false, false},
		{"text", "json", true, false, false},
		{"datetime", "date", true, false, true},
		{"date", "datetime", true, false, false},
		{"integer", "boolean", true, false, true},
		{"boolean", "date", false, false, false},
		{"time", "datetime", false, false, false},
		{"uuid", "uuid", true, false, false},
	}
	for _, sc := range scenarios {
		c, ok := plan.Conversion(sc.from, sc.to)
		if ok != sc.ok || c.MayFail != sc.fail || c.DataLoss != sc.loss {
			t.Errorf("%s → %s: got %+v %v", sc.from, sc.to, c, ok)
		}
		if ok && !strings.Contains(c.Cast, "{col}") {
			t.Errorf("%s → %s: cast %q without {col}", sc.from, sc.to, c.Cast)
		}
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("a", schema.MaxNameBytes)
	for _, n := range []string{
		plan.ConstraintName(long, "key", long), plan.ConstraintName("m", "uniq", long, long, long), plan.TempName(long, long),
		plan.IndexName(long, []string{"-" + long, long}),
	} {
		if len(n) > schema.MaxNameBytes {
			t.Errorf("%q is %d bytes", n, len(n))
		}
	}
	if plan.ConstraintName("a", "key", "b_c") == plan.ConstraintName("a_b", "key", "c") {
		t.Errorf("names collide")
	}
}
