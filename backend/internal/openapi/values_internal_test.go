package openapi

import (
	"regexp"
	"testing"

	"forma.dev/shared/fieldtype"
)

// TestEveryTypeHasASchema walks every registered type through valueSchema: a value's
// JSON type (none only for any JSON value), its format and patterns, and the keyword
// of every option that bounds values, as read and as written.
func TestEveryTypeHasASchema(t *testing.T) {
	for _, typ := range fieldtype.All() {
		d := typ.Describe()
		if (d.JSON.Type == "") != (d.Wire == fieldtype.WireJSON) {
			t.Errorf("%s: JSON type %q for wire %s", d.Name, d.JSON.Type, d.Wire)
		}
		o := fieldtype.Options{}
		for _, spec := range d.Options {
			if spec.Schema == "" {
				continue
			}
			switch spec.Kind {
			case fieldtype.KindRegexp, fieldtype.KindString:
				o[spec.Name] = "^a"
			default:
				o[spec.Name] = float64(2)
			}
		}
		codec := typ.Compile(o)
		for _, input := range []bool{false, true} {
			s := valueSchema(d.Name, o, codec, input)
			if got, _ := s["type"].(string); got != d.JSON.Type {
				t.Errorf("%s (input %v): type %v, described %q", d.Name, input, s["type"], d.JSON.Type)
			}
			if got, _ := s["format"].(string); got != d.JSON.Format {
				t.Errorf("%s (input %v): format %v, described %q", d.Name, input, s["format"], d.JSON.Format)
			}
			if p, ok := s["pattern"].(string); ok {
				if _, err := regexp.Compile(p); err != nil {
					t.Errorf("%s (input %v): pattern %q: %v", d.Name, input, p, err)
				}
			}
			for _, spec := range d.Options {
				if spec.Schema != "" && s[spec.Schema] == nil {
					t.Errorf("%s (input %v): option %s sets no %s: %v", d.Name, input, spec.Name, spec.Schema, s)
				}
			}
		}
	}
}

// TestPatternsMatchWhatTheCodecsReturn: a value a codec returns matches the schema as
// read, and what was sent matches the schema as written.
func TestPatternsMatchWhatTheCodecsReturn(t *testing.T) {
	samples := map[string]string{"decimal": "12.5", "time": "12:30", "url": "https://example.com"}
	for name, sent := range samples {
		typ, _ := fieldtype.Lookup(name)
		codec := typ.Compile(nil)
		got, p := codec.Normalize(sent)
		if p != nil {
			t.Fatalf("%s: %v", name, p)
		}
		read, _ := valueSchema(name, nil, codec, false)["pattern"].(string)
		write, _ := valueSchema(name, nil, codec, true)["pattern"].(string)
		if !regexp.MustCompile(read).MatchString(got.(string)) || !regexp.MustCompile(write).MatchString(sent) {
			t.Errorf("%s: %q (sent %q) against %q and %q", name, got, sent, read, write)
		}
	}
}
