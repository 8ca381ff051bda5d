package schema_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

// fields returns n integer fields f0, f1, ...
func fields(n int) []schema.Field {
	out := make([]schema.Field, n)
	for i := range out {
		out[i] = schema.Field{Name: fmt.Sprintf("f%d", i), Type: "integer"}
	}
	return out
}

// texts returns n distinct strings.
func texts(n int) []any {
	out := make([]any, n)
	for i := range out {
		out[i] = fmt.Sprintf("c%d", i)
	}
	return out
}

// groups returns n lists of size names each, over fields f0, f1, ...
func groups(n, size int) [][]string {
	out := make([][]string, n)
	for i := range out {
		for j := range size {
			out[i] = append(out[i], fmt.Sprintf("f%d", i*size+j))
		}
	}
	return out
}

// TestBounds checks each bound of a definition: at the bound the model is valid, one
// over it is one problem at the list or string.
func TestBounds(t *testing.T) {
	text := func(choices []any) schema.Field {
		return schema.Field{Name: "f", Type: "text", Choices: choices}
	}
	scenarios := []struct {
		name  string
		build func(n int) schema.Model
		max   int
		want  string // the one problem one over the bound
	}{
		{"fields", func(n int) schema.Model { return schema.Model{Name: "m", Fields: fields(n)} },
			schema.MaxFields, "fields max_items"},
		{"choices", func(n int) schema.Model { return schema.Model{Name: "m", Fields: []schema.Field{text(texts(n))}} },
			schema.MaxChoices, "fields[0].choices max_items"},
		{"unique_together", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: fields(2 * n), UniqueTogether: groups(n, 2)}
		}, schema.MaxUniqueTogether, "unique_together max_items"},
		{"unique_together group", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: fields(n), UniqueTogether: groups(1, n)}
		}, schema.MaxIndexColumns, "unique_together[0] max_items"},
		{"indexes", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: fields(n), Indexes: groups(n, 1)}
		}, schema.MaxIndexes, "indexes max_items"},
		{"model label", func(n int) schema.Model {
			return schema.Model{Name: "m", Label: strings.Repeat("é", n/2) + strings.Repeat("x", n%2), Fields: fields(1)}
		},
			schema.MaxLabelBytes, "label too_long"},
		{"model description", func(n int) schema.Model {
			return schema.Model{Name: "m", Description: strings.Repeat("d", n), Fields: fields(1)}
		}, schema.MaxDescriptionBytes, "description too_long"},
		{"field label", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "text", Label: strings.Repeat("l", n)}}}
		}, schema.MaxLabelBytes, "fields[0].label too_long"},
		{"field help", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "text", Help: strings.Repeat("h", n)}}}
		}, schema.MaxHelpBytes, "fields[0].help too_long"},
		{"field description", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "text", Description: strings.Repeat("d", n)}}}
		}, schema.MaxDescriptionBytes, "fields[0].description too_long"},
		{"pattern", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "text",
				Options: fieldtype.Options{"pattern": strings.Repeat("a", n)}}}}
		}, fieldtype.MaxOptionBytes, "fields[0].options.pattern too_long"},
		{"choice", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{text([]any{"a", strings.Repeat("c", n)})}}
		}, schema.MaxChoiceBytes, "fields[0].choices[1] too_long"},
		{"default", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "text", Default: strings.Repeat("d", n)}}}
		}, schema.MaxDefaultBytes, "fields[0].default too_long"},
		{"json default", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "json",
				Default: map[string]any{"k": strings.Repeat("d", n-len(`{"k":""}`))}}}}
		}, schema.MaxDefaultBytes, "fields[0].default too_long"},
		{"related_model", func(n int) schema.Model {
			return schema.Model{Name: "m", Fields: []schema.Field{{Name: "f", Type: "relation", RelatedModel: strings.Repeat("r", n)}}}
		}, schema.MaxNameBytes, "fields[0].related_model too_long"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			exists := func(string) bool { return true }
			if list := schema.ValidateModel(sc.build(sc.max), exists); len(list) > 0 {
				t.Fatalf("at the bound %d: %v", sc.max, list)
			}
			list := schema.ValidateModel(sc.build(sc.max+1), exists)
			if g := got(list); len(g) != 1 || g[0] != sc.want {
				t.Fatalf("one over the bound %d: got %q, want %q", sc.max, g, sc.want)
			}
			if max, _ := list[0].Params["max"].(int); max != sc.max {
				t.Errorf("params %v, want max %d", list[0].Params, sc.max)
			}
		})
	}
}

func TestMaxModels(t *testing.T) {
	models := make([]schema.Model, schema.MaxModels+1)
	for i := range models {
		models[i] = schema.Model{Name: fmt.Sprintf("m%d", i), Fields: []schema.Field{}}
	}
	if list := schema.Validate(models[:schema.MaxModels]); len(list) > 0 {
		t.Fatalf("at the bound: %v", list)
	}
	if g := got(schema.Validate(models)); len(g) != 1 || g[0] != "models max_items" {
		t.Fatalf("one over: %q", g)
	}
}

// TestTextThatPostgresCannotStore checks that NUL characters and invalid UTF-8 are
// refused wherever a definition holds text, as Postgres refuses them in jsonb (22P05).
func TestTextThatPostgresCannotStore(t *testing.T) {
	const nul = `\u0000`
	scenarios := []struct{ name, model, want string }{
		{"model label", `{"name":"m","label":"a` + nul + `","fields":[]}`, "label invalid_value"},
		{"model description", `{"name":"m","description":"` + nul + `","fields":[]}`, "description invalid_value"},
		{"field label", `{"name":"m","fields":[{"name":"a","type":"text"},{"name":"b","type":"text","label":"` + nul + `"}]}`,
			"fields[1].label invalid_value"},
		{"field help", `{"name":"m","fields":[{"name":"b","type":"text","help":"` + nul + `"}]}`, "fields[0].help invalid_value"},
		{"field description", `{"name":"m","fields":[{"name":"b","type":"text","description":"` + nul + `"}]}`,
			"fields[0].description invalid_value"},
		{"pattern", `{"name":"m","fields":[{"name":"b","type":"text","options":{"pattern":"a` + nul + `"}}]}`,
			"fields[0].options.pattern invalid_value"},
		{"choice", `{"name":"m","fields":[{"name":"b","type":"text","choices":["a","` + nul + `"]}]}`,
			"fields[0].choices[1] invalid_value"},
		{"default", `{"name":"m","fields":[{"name":"b","type":"email","default":"a` + nul + `@b.c"}]}`,
			"fields[0].default invalid_value"},
		{"json default", `{"name":"m","fields":[{"name":"b","type":"json","default":{"k":["` + nul + `"]}}]}`,
			"fields[0].default invalid_value"},
		{"field label without a type", `{"name":"m","fields":[{"name":"b","label":"` + nul + `"}]}`,
			"fields[0].label invalid_value|fields[0].type required"},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			if g := strings.Join(got(schema.ValidateModel(model(t, sc.model), nil)), "|"); g != sc.want {
				t.Errorf("got %q, want %q", g, sc.want)
			}
		})
	}
	bad := schema.Model{Name: "m", Label: "a\xffb", Fields: []schema.Field{}}
	if g := strings.Join(got(schema.ValidateModel(bad, nil)), "|"); g != "label invalid_format" {
		t.Errorf("invalid UTF-8: %q", g)
	}
}

// TestLinearTime runs the checks that used to compare every item with every other
// (duplicate choices, matching fields by id and name) on n and on 8n items, calling the
// unbounded parts directly. Linear work takes about 8 times as long on 8n, quadratic
// about 64 times: the test fails above 24, a ratio that holds on any machine and load.
func TestLinearTime(t *testing.T) {
	if testing.Short() {
		t.Skip("large inputs")
	}
	codec, _ := fieldtype.CompileOptions("text", fieldtype.Options{})
	checkChoices := func(n int) {
		choices := append(texts(n), "c7")
		if _, list := fieldtype.NormalizeChoices(codec, choices); len(list) != 1 || list[0].Path != fmt.Sprintf("[%d]", n) {
			t.Fatalf("duplicate choice: %v", list)
		}
	}
	matchFields := func(n int) {
		old, next := fields(n), fields(n)
		for i := range old {
			old[i].ID = fmt.Sprint("id", i)
			if i%2 == 0 {
				next[i].ID = old[i].ID
			}
		}
		match := schema.MatchFields(old, next)
		if match[0] != 0 || match[1] != 1 || match[n-1] != n-1 {
			t.Fatalf("match %v ...", match[:4])
		}
	}
	for name, check := range map[string]func(int){"choices": checkChoices, "fields": matchFields} {
		small, large := fastest(func() { check(5_000) }), fastest(func() { check(40_000) })
		if ratio := float64(large) / float64(small); ratio > 24 {
			t.Errorf("%s: 8 times the items took %.0f times as long (%v against %v): quadratic?", name, ratio, large, small)
		}
	}
}

// fastest is the shortest of three runs of f, the one least disturbed by other work.
func fastest(f func()) time.Duration {
	best := time.Duration(1<<63 - 1)
	for range 3 {
		start := time.Now()
		f()
		best = min(best, time.Since(start))
	}
	return best
}

// BenchmarkValidateLargestModel validates a model at its bounds: MaxFields fields, one
// with MaxChoices choices, MaxUniqueTogether groups and MaxIndexes indexes.
func BenchmarkValidateLargestModel(b *testing.B) {
	m := schema.Model{Name: "m", Fields: fields(schema.MaxFields),
		UniqueTogether: groups(schema.MaxUniqueTogether, 2), Indexes: groups(schema.MaxIndexes, 4)}
	m.Fields[0] = schema.Field{Name: "f0", Type: "text", Choices: texts(schema.MaxChoices)}
	raw, _ := json.Marshal(m)
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		if list := schema.ValidateModel(m, nil); len(list) > 0 {
			b.Fatal(list)
		}
	}
}
