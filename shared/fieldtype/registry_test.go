package fieldtype_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"forma.dev/shared/fieldtype"
)

var typeNames = []string{"boolean", "date", "datetime", "decimal", "email", "float", "integer",
	"json", "relation", "text", "time", "url", "uuid"}

func TestRegistry(t *testing.T) {
	var names []string
	for _, typ := range fieldtype.All() {
		names = append(names, typ.Name())
	}
	if !reflect.DeepEqual(names, typeNames) {
		t.Fatalf("types %v, want %v", names, typeNames)
	}
	for _, d := range fieldtype.Describe() {
		if d.Label == "" || d.Help == "" || d.Options == nil {
			t.Errorf("%s: description incomplete: %+v", d.Name, d)
		}
		for _, o := range d.Options {
			if o.Name == "" || o.Kind == "" || o.Label == "" || o.Help == "" {
				t.Errorf("%s.%s: option spec incomplete: %+v", d.Name, o.Name, o)
			}
			if o.Kind == fieldtype.KindEnum && len(o.Enum) == 0 {
				t.Errorf("%s.%s: enum without values", d.Name, o.Name)
			}
		}
		if _, err := json.Marshal(d); err != nil {
			t.Errorf("%s: %v", d.Name, err)
		}
	}
	rel, _ := fieldtype.Lookup("relation")
	if d := rel.Describe(); !d.Relation || d.Choices {
		t.Errorf("relation description: %+v", d)
	}
}

// TestCompileNeverPanics feeds every type options of the wrong kinds: Compile is only
// promised valid options, but must not crash on others.
func TestCompileNeverPanics(t *testing.T) {
	bad := []fieldtype.Options{
		nil, {}, {"max_length": "x", "min_length": -5, "pattern": "("}, {"min": 1e300, "max": -1e300},
		{"precision": 0, "scale": 5000}, {"precision": 2000, "scale": -3}, {"on_delete": 5},
	}
	for _, typ := range fieldtype.All() {
		for _, o := range bad {
			c := typ.Compile(o)
			_ = c.Column()
			_, _ = c.Normalize("x")
			_, _ = c.Normalize(1.0)
		}
	}
}

func TestCheckValue(t *testing.T) {
	o := fieldtype.Options{"max_length": 2.0}
	if v, p := fieldtype.CheckValue("text", o, "PL"); p != nil || v != "PL" {
		t.Errorf("PL: %v %v", v, p)
	}
	if _, p := fieldtype.CheckValue("text", o, "POL"); p == nil || p.Code != "max_length" {
		t.Errorf("POL: %v", p)
	}
	if v, p := fieldtype.CheckValue("text", o, nil); p != nil || v != nil {
		t.Errorf("nil: %v %v", v, p)
	}
	if _, p := fieldtype.CheckValue("nope", nil, 1); p == nil || p.Code != "unknown_type" {
		t.Errorf("unknown type: %v", p)
	}
	if v, p := fieldtype.CheckValue("decimal", nil, 1.5); p != nil || v != "1.50" {
		t.Errorf("decimal: %v %v", v, p)
	}
}

func TestNormalizeChoices(t *testing.T) {
	codec, _ := fieldtype.CompileOptions("integer", fieldtype.Options{"max": 10.0})
	got, list := fieldtype.NormalizeChoices(codec, []any{1.0, json.Number("2"), "3", 11.0, nil, json.Number("1.0")})
	want := []any{int64(1), int64(2), nil, nil, nil, int64(1)}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("choices %#v", got)
	}
	var codes []string
	for _, p := range list {
		codes = append(codes, p.Path+":"+p.Code)
	}
	if want := []string{"[2]:invalid_type", "[3]:max", "[4]:required", "[5]:duplicate"}; !reflect.DeepEqual(codes, want) {
		t.Errorf("problems %v, want %v", codes, want)
	}
}

func TestOnDelete(t *testing.T) {
	if got := fieldtype.OnDelete(nil); got != fieldtype.OnDeleteRestrict {
		t.Errorf("default on_delete %q", got)
	}
	if got := fieldtype.OnDelete(fieldtype.Options{"on_delete": "cascade"}); got != "cascade" {
		t.Errorf("on_delete %q", got)
	}
}
