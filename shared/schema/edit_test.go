package schema_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// editModel has a group of three and one of two, and indexes with a descending column,
// a system column and a column of its own.
const editModel = `{"name":"event",
	"unique_together":[["country","source","value"],["source","value"]],
	"indexes":[["country","-source","id"],["-source"],["value","-created_at"]],
	"fields":[
		{"id":"f1","name":"country","type":"text","options":{"max_length":3,"pattern":"^[A-Z]+$"}},
		{"id":"f2","name":"source","type":"text","label":"Source","default":"web"},
		{"id":"f3","name":"value","type":"decimal","options":{"precision":30,"scale":2},"default":"123456789012345678901234567.89"}]}`

func TestFieldEdits(t *testing.T) {
	patch := func(name, p string) func(schema.Model) (schema.Model, problem.List) {
		return func(m schema.Model) (schema.Model, problem.List) {
			var doc map[string]any
			d := json.NewDecoder(strings.NewReader(p))
			d.UseNumber()
			if err := d.Decode(&doc); err != nil {
				t.Fatal(err)
			}
			return schema.PatchField(m, name, doc)
		}
	}
	drop := func(name string) func(schema.Model) (schema.Model, problem.List) {
		return func(m schema.Model) (schema.Model, problem.List) { return schema.DropField(m, name) }
	}
	rename := func(name, to string) func(schema.Model) (schema.Model, problem.List) {
		return func(m schema.Model) (schema.Model, problem.List) { return schema.RenameField(m, name, to) }
	}
	add := func(f string) func(schema.Model) (schema.Model, problem.List) {
		return func(m schema.Model) (schema.Model, problem.List) {
			return schema.AddField(m, model(t, `{"fields":[`+f+`]}`).Fields[0])
		}
	}
	scenarios := []struct {
		name  string
		model string // editModel when empty
		edit  func(schema.Model) (schema.Model, problem.List)
		// want lists the problems as "path code"; else together and indexes are the
		// model's as JSON and fields its field names, each when it changed.
		want     []string
		together string
		indexes  string
		fields   string
	}{
		{name: "add", edit: add(`{"name":"note","type":"text"}`),
			fields: `country source value note`},
		{name: "add a name taken", edit: add(`{"name":"source","type":"integer"}`), want: []string{"name duplicate"}},

		{name: "drop: every group and index that names the field goes whole", edit: drop("source"),
			fields: `country value`, together: `null`, indexes: `[["value","-created_at"]]`},
		{name: "drop: a group of three goes too, not only a group left with one", edit: drop("country"),
			fields: `source value`, together: `[["source","value"]]`, indexes: `[["-source"],["value","-created_at"]]`},
		{name: "drop a field nothing names", model: `{"name":"a","unique_together":[["x","y"]],"indexes":[["x"]],
			"fields":[{"name":"x","type":"text"},{"name":"y","type":"text"},{"name":"z","type":"text"}]}`,
			edit: drop("z"), fields: `x y`},
		{name: "drop the last field", model: `{"name":"a","fields":[{"name":"x","type":"text"}],"indexes":[["-x"]]}`,
			edit: drop("x"), fields: `(none)`, indexes: `null`},
		{name: "drop an unknown field", edit: drop("nope"), want: []string{" unknown_field"}},
		{name: "drop a system column", edit: drop("id"), want: []string{" unknown_field"}},
		{name: "drop a name two fields have",
			model: `{"name":"a","fields":[{"name":"x","type":"text"},{"name":"x","type":"integer"}]}`,
			edit:  drop("x"), want: []string{" duplicate"}},

		{name: "rename follows groups and indexes, keeping directions", edit: rename("source", "origin"),
			fields:   `country origin value`,
			together: `[["country","origin","value"],["origin","value"]]`,
			indexes:  `[["country","-origin","id"],["-origin"],["value","-created_at"]]`},
		{name: "rename to the same name", edit: rename("source", "source")},
		{name: "rename to a name taken", edit: rename("source", "value"), want: []string{"name duplicate"}},
		{name: "rename an unknown field", edit: rename("nope", "x"), want: []string{" unknown_field"}},
		{name: "a group entry with a dash is not the field",
			model: `{"name":"a","unique_together":[["-x","y"]],"fields":[{"name":"x","type":"text"},{"name":"y","type":"text"}]}`,
			edit:  rename("x", "z"), fields: `z y`},

		{name: "patch replaces, removes and merges options", edit: patch("country", `{"label":"Country","options":{"max_length":5,"pattern":null}}`),
			fields: `country source value`},
		{name: "patch renames, following groups and indexes", edit: patch("source", `{"name":"origin","default":null}`),
			fields:   `country origin value`,
			together: `[["country","origin","value"],["origin","value"]]`,
			indexes:  `[["country","-origin","id"],["-origin"],["value","-created_at"]]`},
		{name: "patch with the same id", edit: patch("source", `{"id":"f2","required":true}`), fields: `country source value`},
		{name: "patch the id", edit: patch("source", `{"id":"zz"}`), want: []string{"id read_only"}},
		{name: "patch the id away", edit: patch("source", `{"id":null}`), want: []string{"id read_only"}},
		{name: "patch an unknown member", edit: patch("source", `{"requried":true}`), want: []string{"requried not_allowed"}},
		{name: "patch a member of the wrong type", edit: patch("source", `{"label":5}`), want: []string{"label invalid_type"}},
		{name: "patch a rename onto a name taken", edit: patch("source", `{"name":"country"}`), want: []string{"name duplicate"}},
		{name: "patch an unknown field", edit: patch("nope", `{}`), want: []string{" unknown_field"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			src := s.model
			if src == "" {
				src = editModel
			}
			m := model(t, src)
			before := encodeJSON(t, m)
			next, problems := s.edit(m)
			if after := encodeJSON(t, m); after != before {
				t.Fatalf("the edit changed its input:\n%s\n%s", before, after)
			}
			if s.want != nil {
				if !reflect.DeepEqual(got(problems), s.want) {
					t.Fatalf("problems %v, want %v", got(problems), s.want)
				}
				if !reflect.DeepEqual(next, schema.Model{}) {
					t.Fatalf("a refused edit returned a model: %+v", next)
				}
				return
			}
			if problems != nil {
				t.Fatalf("unexpected problems: %v", problems)
			}
			wantFields := s.fields
			if wantFields == "" {
				wantFields = fieldNames(m)
			}
			if got := fieldNames(next); got != wantFields {
				t.Errorf("fields %q, want %q", got, wantFields)
			}
			same := func(what string, got any, want string, orig any) {
				if want == "" {
					want = encodeJSON(t, orig)
				}
				if g := encodeJSON(t, got); g != want {
					t.Errorf("%s %s, want %s", what, g, want)
				}
			}
			same("unique_together", next.UniqueTogether, s.together, m.UniqueTogether)
			same("indexes", next.Indexes, s.indexes, m.Indexes)
		})
	}
}

func TestPatchFieldAttributes(t *testing.T) {
	m := model(t, editModel)
	var p map[string]any
	d := json.NewDecoder(strings.NewReader(`{"label":"Country","required":true,"options":{"max_length":5,"pattern":null},"choices":["PL"]}`))
	d.UseNumber()
	if err := d.Decode(&p); err != nil {
		t.Fatal(err)
	}
	next, problems := schema.PatchField(m, "country", p)
	if problems != nil {
		t.Fatal(problems)
	}
	want := `{"id":"f1","name":"country","label":"Country","type":"text","choices":["PL"],"required":true,"options":{"max_length":5}}`
	if got := encodeJSON(t, next.Fields[0]); got != want {
		t.Errorf("patched\n got %s\nwant %s", got, want)
	}
	next, problems = schema.PatchField(m, "value", map[string]any{"label": "Value"})
	if problems != nil {
		t.Fatal(problems)
	}
	want = `{"id":"f3","name":"value","label":"Value","type":"decimal","default":"123456789012345678901234567.89","options":{"precision":30,"scale":2}}`
	if got := encodeJSON(t, next.Fields[2]); got != want {
		t.Errorf("untouched attributes changed\n got %s\nwant %s", got, want)
	}
}

func encodeJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fieldNames lists the names of m's fields, "(none)" when it has none.
func fieldNames(m schema.Model) string {
	if len(m.Fields) == 0 {
		return "(none)"
	}
	names := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		names[i] = f.Name
	}
	return strings.Join(names, " ")
}
