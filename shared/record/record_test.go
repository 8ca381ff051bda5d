package record_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

const eventModel = `{
  "name": "event",
  "fields": [
    {"name": "timestamp", "type": "datetime", "required": true, "options": {"auto_now_add": true}},
    {"name": "touched", "type": "datetime", "options": {"auto_now": true}},
    {"name": "country", "type": "text", "required": true, "options": {"max_length": 3},
     "choices": ["PL", "DE", "US"], "default": "PL"},
    {"name": "source", "type": "text", "options": {"max_length": 10}},
    {"name": "value", "type": "integer", "options": {"min": 0}},
    {"name": "level", "type": "integer", "choices": [1, 2, 3]},
    {"name": "price", "type": "decimal", "options": {"precision": 8, "scale": 2}, "default": "0"},
    {"name": "owner", "type": "relation", "related_model": "user", "options": {"on_delete": "set_null"}},
    {"name": "title", "type": "text", "required": true}
  ]
}`

func model(t testing.TB, src string) schema.Model {
	t.Helper()
	var m schema.Model
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func compile(t testing.TB, src string) *record.Validator {
	t.Helper()
	v, err := record.Compile(model(t, src))
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func decodeRecord(t testing.TB, src string, useNumber bool) map[string]any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(src))
	if useNumber {
		d.UseNumber()
	}
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestValidate(t *testing.T) {
	v := compile(t, eventModel)
	scenarios := []struct {
		name  string
		mode  record.Mode
		in    string
		want  map[string]any
		codes []string // "path:code", sorted by path
	}{
		{"create minimal", record.Create, `{"title": "a"}`, map[string]any{"title": "a"}, nil},
		{"create full", record.Create,
			`{"title": "a", "country": "DE", "source": "web", "value": 5, "level": 2.0, "price": 3.5, "owner": 7}`,
			map[string]any{"title": "a", "country": "DE", "source": "web", "value": int64(5), "level": int64(2),
				"price": "3.50", "owner": int64(7)}, nil},
		{"create nulls", record.Create, `{"title": "a", "source": null, "price": null}`,
			map[string]any{"title": "a", "source": nil, "price": nil}, nil},
		{"create missing required", record.Create, `{}`, nil, []string{"title:required"}},
		{"create null required", record.Create, `{"title": null, "country": null}`, nil,
			[]string{"country:required", "title:required"}},
		{"create everything wrong", record.Create,
			`{"id": 1, "created_at": "x", "timestamp": "2024-05-01T10:00:00Z", "touched": null, "zzz": 1,
			  "country": "FR", "source": "much too long", "value": -1, "level": 4, "price": "1e9", "owner": 0}`,
			nil, []string{"country:choice", "created_at:read_only", "id:read_only", "level:choice",
				"owner:min", "price:precision", "source:max_length", "timestamp:read_only", "title:required",
				"touched:read_only", "value:min", "zzz:unknown_field"}},
		{"replace fills absent fields", record.Replace, `{"title": "b"}`,
			map[string]any{"title": "b", "country": "PL", "source": nil, "value": nil, "level": nil,
				"price": "0.00", "owner": nil}, nil},
		{"replace missing required", record.Replace, `{"country": "US"}`, nil, []string{"title:required"}},
		{"replace null with default", record.Replace, `{"title": "b", "price": null}`,
			map[string]any{"title": "b", "country": "PL", "source": nil, "value": nil, "level": nil,
				"price": nil, "owner": nil}, nil},
		{"patch one field", record.Patch, `{"value": 3}`, map[string]any{"value": int64(3)}, nil},
		{"patch nothing", record.Patch, `{}`, map[string]any{}, nil},
		{"patch null optional", record.Patch, `{"owner": null}`, map[string]any{"owner": nil}, nil},
		{"patch null required", record.Patch, `{"title": null}`, nil, []string{"title:required"}},
		{"patch read only", record.Patch, `{"updated_at": "2024-05-01T10:00:00Z", "touched": "2024-05-01T10:00:00Z"}`,
			nil, []string{"touched:read_only", "updated_at:read_only"}},
		{"patch unknown", record.Patch, `{"nope": 1, "value": "x"}`, nil,
			[]string{"nope:unknown_field", "value:invalid_type"}},
	}
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			for _, useNumber := range []bool{false, true} {
				got, list := v.Validate(decodeRecord(t, s.in, useNumber), s.mode)
				var codes []string
				for _, p := range list {
					codes = append(codes, p.Path+":"+p.Code)
					if p.Message == "" {
						t.Errorf("%s: no message", p.Path)
					}
				}
				if !reflect.DeepEqual(codes, s.codes) {
					t.Errorf("useNumber=%v problems %v, want %v", useNumber, codes, s.codes)
				}
				if !reflect.DeepEqual(got, s.want) {
					t.Errorf("useNumber=%v got %#v, want %#v", useNumber, got, s.want)
				}
			}
		})
	}
}

func TestChoiceParams(t *testing.T) {
	v := compile(t, eventModel)
	_, list := v.Validate(map[string]any{"title": "x", "level": 9.0}, record.Create)
	if len(list) != 1 || !reflect.DeepEqual(list[0].Params["choices"], []any{int64(1), int64(2), int64(3)}) {
		t.Fatalf("got %+v", list)
	}
	if list[0].Message != "must be one of 1, 2, 3" {
		t.Errorf("message %q", list[0].Message)
	}
}

func TestValidatorInfo(t *testing.T) {
	v := compile(t, eventModel)
	if got := v.Columns(); !reflect.DeepEqual(got, []string{"id", "created_at", "updated_at", "timestamp",
		"touched", "country", "source", "value", "level", "price", "owner", "title"}) {
		t.Errorf("columns %v", got)
	}
	if got := v.AutoNow(); !reflect.DeepEqual(got, []string{"touched"}) {
		t.Errorf("auto_now %v", got)
	}
	if got := v.AutoNowAdd(); !reflect.DeepEqual(got, []string{"timestamp"}) {
		t.Errorf("auto_now_add %v", got)
	}
	f, ok := v.Field("price")
	if !ok || f.Codec.Column() != "numeric(8,2)" || !f.HasDefault || f.Default != "0.00" {
		t.Errorf("price %+v", f)
	}
	if _, ok := v.Field("id"); ok {
		t.Error("id is not a field")
	}
	if v.Model() != "event" || len(v.Fields()) != 9 {
		t.Errorf("model %s with %d fields", v.Model(), len(v.Fields()))
	}
}

func TestCompileRejectsInvalidModels(t *testing.T) {
	for _, src := range []string{
		`{"name": "m", "fields": [{"name": "a", "type": "nope"}]}`,
		`{"name": "m", "fields": [{"name": "a", "type": "text", "options": {"max_length": 0}}]}`,
		`{"name": "m", "fields": [{"name": "a", "type": "integer", "default": "x"}]}`,
		`{"name": "m", "fields": [{"name": "a", "type": "integer", "choices": [1, "x"]}]}`,
		`{"name": "m", "fields": [{"name": "a", "type": "integer", "choices": [1, 2], "default": 3}]}`,
	} {
		if _, err := record.Compile(model(t, src)); err == nil {
			t.Errorf("%s: compiled", src)
		}
	}
}

func tryDecode(src string, useNumber bool) (map[string]any, bool) {
	d := json.NewDecoder(strings.NewReader(src))
	if useNumber {
		d.UseNumber()
	}
	var m map[string]any
	return m, d.Decode(&m) == nil && m != nil
}
