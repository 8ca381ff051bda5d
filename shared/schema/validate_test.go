package schema_test

import (
	"encoding/json"
	"strings"
	"testing"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// model decodes a model from JSON, failing the test on bad JSON.
func model(t testing.TB, src string) schema.Model {
	t.Helper()
	var m schema.Model
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatalf("decode %s: %v", src, err)
	}
	return m
}

// got renders problems as "path code" lines for comparison.
func got(list problem.List) []string {
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.Path + " " + p.Code
	}
	return out
}

func TestValidateModel(t *testing.T) {
	exists := func(name string) bool { return name == "user" }
	long := strings.Repeat("a", 64)
	scenarios := []struct {
		name, model string
		want        []string
	}{
		{"valid", `{"name":"event","unique_together":[["country","source"]],"fields":[
			{"name":"timestamp","type":"datetime","required":true,"options":{"auto_now_add":true}},
			{"name":"country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE","US"],"default":"PL","index":true},
			{"name":"source","type":"text","options":{"max_length":10}},
			{"name":"value","type":"integer","options":{"min":0}},
			{"name":"owner","type":"relation","related_model":"user","options":{"on_delete":"set_null"}},
			{"name":"parent","type":"relation","related_model":"event"}]}`, nil},
		{"no fields", `{"name":"empty","fields":[]}`, nil},
		{"model name missing", `{"fields":[]}`, []string{"name required"}},
		{"model name invalid", `{"name":"Event","fields":[]}`, []string{"name invalid_name"}},
		{"model name digit first", `{"name":"1x","fields":[]}`, []string{"name invalid_name"}},
		{"model name too long", `{"name":"` + long + `","fields":[]}`, []string{"name too_long"}},
		{"model name reserved", `{"name":"user","fields":[]}`, []string{"name reserved_word"}},
		{"field name invalid", `{"name":"m","fields":[{"name":"a-b","type":"text"}]}`, []string{"fields[0].name invalid_name"}},
		{"field name reserved", `{"name":"m","fields":[{"name":"order","type":"text"}]}`, []string{"fields[0].name reserved_word"}},
		{"field name too long", `{"name":"m","fields":[{"name":"` + long + `","type":"text"}]}`, []string{"fields[0].name too_long"}},
		{"field name missing", `{"name":"m","fields":[{"type":"text"}]}`, []string{"fields[0].name required"}},
		{"system column", `{"name":"m","fields":[{"name":"a","type":"text"},{"name":"created_at","type":"datetime"}]}`,
			[]string{"fields[1].name system_column"}},
		{"field name with lookup separator", `{"name":"m","fields":[{"name":"a__b","type":"text"}]}`,
			[]string{"fields[0].name reserved_name"}},
		{"field name of a list parameter", `{"name":"m","fields":[{"name":"sort","type":"text"}]}`,
			[]string{"fields[0].name reserved_name"}},
		{"duplicate field name", `{"name":"m","fields":[{"name":"a","type":"text"},{"name":"a","type":"integer"}]}`,
			[]string{"fields[1].name duplicate"}},
		{"duplicate field id", `{"name":"m","fields":[{"id":"x","name":"a","type":"text"},{"id":"x","name":"b","type":"text"}]}`,
			[]string{"fields[1].id duplicate"}},
		{"type missing", `{"name":"m","fields":[{"name":"a"}]}`, []string{"fields[0].type required"}},
		{"type unknown", `{"name":"m","fields":[{"name":"a","type":"money"}]}`, []string{"fields[0].type unknown_type"}},
		{"option unknown", `{"name":"m","fields":[{"name":"a","type":"text","options":{"size":3}}]}`,
			[]string{"fields[0].options.size unknown_option"}},
		{"option out of range", `{"name":"m","fields":[{"name":"a","type":"text","options":{"max_length":0}}]}`,
			[]string{"fields[0].options.max_length min"}},
		{"relation without model", `{"name":"m","fields":[{"name":"a","type":"relation"}]}`,
			[]string{"fields[0].related_model required"}},
		{"relation to missing model", `{"name":"m","fields":[{"name":"a","type":"relation","related_model":"ghost"}]}`,
			[]string{"fields[0].related_model unknown_model"}},
		{"related_model on text", `{"name":"m","fields":[{"name":"a","type":"text","related_model":"user"}]}`,
			[]string{"fields[0].related_model not_allowed"}},
		{"required set_null", `{"name":"m","fields":[{"name":"a","type":"relation","related_model":"user","required":true,"options":{"on_delete":"set_null"}}]}`,
			[]string{"fields[0].options.on_delete invalid_value"}},
		{"choices not allowed", `{"name":"m","fields":[{"name":"a","type":"boolean","choices":[true]}]}`,
			[]string{"fields[0].choices not_allowed"}},
		{"choice too long", `{"name":"m","fields":[{"name":"a","type":"text","options":{"max_length":2},"choices":["PL","DEU"]}]}`,
			[]string{"fields[0].choices[1] max_length"}},
		{"choice wrong type", `{"name":"m","fields":[{"name":"a","type":"integer","choices":[1,"two"]}]}`,
			[]string{"fields[0].choices[1] invalid_type"}},
		{"choice duplicate", `{"name":"m","fields":[{"name":"a","type":"integer","choices":[1,2,1.0]}]}`,
			[]string{"fields[0].choices[2] duplicate"}},
		{"default wrong type", `{"name":"m","fields":[{"name":"a","type":"integer","default":"x"}]}`,
			[]string{"fields[0].default invalid_type"}},
		{"default out of options", `{"name":"m","fields":[{"name":"a","type":"integer","options":{"max":5},"default":6}]}`,
			[]string{"fields[0].default max"}},
		{"default not a choice", `{"name":"m","fields":[{"name":"a","type":"text","choices":["a","b"],"default":"c"}]}`,
			[]string{"fields[0].default choice"}},
		{"unique not allowed", `{"name":"m","fields":[{"name":"a","type":"json","unique":true,"index":true}]}`,
			[]string{"fields[0].unique not_allowed", "fields[0].index not_allowed"}},
		{"unique_together one field", `{"name":"m","unique_together":[["a"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"unique_together[0] min_items"}},
		{"unique_together unknown field", `{"name":"m","unique_together":[["a","b"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"unique_together[0][1] unknown_field"}},
		{"unique_together repeated field", `{"name":"m","unique_together":[["a","b","a"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"text"}]}`,
			[]string{"unique_together[0][2] duplicate"}},
		{"unique_together duplicate group", `{"name":"m","unique_together":[["a","b"],["b","a"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"text"}]}`,
			[]string{"unique_together[1] duplicate"}},
		{"unique_together json", `{"name":"m","unique_together":[["a","b"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"json"}]}`,
			[]string{"unique_together[0][1] not_allowed"}},
		{"unique_together system column", `{"name":"m","unique_together":[["a","created_at"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"unique_together[0][1] unknown_field"}},
		{"indexes", `{"name":"m","indexes":[["a","-b","id"],["-created_at"],["b","a"],["a","b"],["a","-b"],["updated_at","-id"]],"fields":[
			{"name":"a","type":"text"},{"name":"b","type":"datetime"},{"name":"c","type":"relation","related_model":"m"}]}`, nil},
		{"indexes empty", `{"name":"m","indexes":[[]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"indexes[0] empty"}},
		{"indexes unknown field", `{"name":"m","indexes":[["a","-b"],["--a"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"indexes[0][1] unknown_field", "indexes[1][0] unknown_field"}},
		{"indexes no name", `{"name":"m","indexes":[["a",""],["-"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"indexes[0][1] required", "indexes[1][0] required"}},
		{"indexes repeated column", `{"name":"m","indexes":[["a","b","-a"],["id","-id"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"text"}]}`,
			[]string{"indexes[0][2] duplicate", "indexes[1][1] duplicate"}},
		{"indexes duplicate index", `{"name":"m","indexes":[["a","-b"],["a","b"],["a","-b"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"text"}]}`,
			[]string{"indexes[2] duplicate"}},
		{"indexes json", `{"name":"m","indexes":[["a","-b"]],"fields":[{"name":"a","type":"text"},{"name":"b","type":"json"}]}`,
			[]string{"indexes[0][1] not_allowed"}},
		{"indexes too many columns", `{"name":"m","indexes":[["id","created_at","updated_at","a","a","a","a","a","a","a","a","a","a","a","a","a",
			"a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a","a"]],"fields":[{"name":"a","type":"text"}]}`,
			[]string{"indexes[0] max_items"}},
		{"every problem at once", `{"name":"Bad","unique_together":[["x"]],"indexes":[["x","-id"],[]],"fields":[
			{"name":"id","type":"text"},{"name":"b","type":"nope"},{"name":"c","type":"integer","default":"z"}]}`,
			[]string{"name invalid_name", "fields[0].name system_column", "fields[1].type unknown_type",
				"fields[2].default invalid_type", "unique_together[0] min_items", "unique_together[0][0] unknown_field",
				"indexes[0][0] unknown_field", "indexes[1] empty"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			list := schema.ValidateModel(model(t, sc.model), exists)
			if g := got(list); strings.Join(g, "\n") != strings.Join(sc.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(g, "\n  "), strings.Join(sc.want, "\n  "))
			}
			for _, p := range list {
				if p.Message == "" || strings.Contains(p.Message, "{") {
					t.Errorf("%s: message %q not rendered", p.Path, p.Message)
				}
			}
		})
	}
}

func TestValidateSchema(t *testing.T) {
	models := []schema.Model{
		model(t, `{"name":"person","fields":[{"name":"best","type":"relation","related_model":"pet"}]}`),
		model(t, `{"name":"pet","fields":[{"name":"owner","type":"relation","related_model":"person"},
			{"name":"vet","type":"relation","related_model":"clinic"}]}`),
		model(t, `{"name":"person","fields":[]}`),
	}
	want := []string{"models[1].fields[1].related_model unknown_model", "models[2].name duplicate"}
	if g := got(schema.Validate(models)); strings.Join(g, "|") != strings.Join(want, "|") {
		t.Errorf("got %q, want %q", g, want)
	}
	if l := schema.Validate(models[:2]); len(l) != 1 {
		t.Errorf("got %v", l)
	}
	if l := schema.Validate(nil); l != nil {
		t.Errorf("empty schema: %v", l)
	}
}

func TestReservedWordsSorted(t *testing.T) {
	for i := 1; i < len(schema.ReservedWords); i++ {
		if schema.ReservedWords[i-1] >= schema.ReservedWords[i] {
			t.Fatalf("not sorted at %q", schema.ReservedWords[i])
		}
	}
	for _, w := range []string{"select", "user", "order", "tablesample", "system_user"} {
		if !schema.IsReserved(w) {
			t.Errorf("%s is reserved", w)
		}
	}
	for _, w := range []string{"name", "event", "type", "value", "text"} {
		if schema.IsReserved(w) {
			t.Errorf("%s is not reserved", w)
		}
	}
}
