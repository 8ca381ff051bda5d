package fieldtype_test

import (
	"regexp"
	"slices"
	"testing"

	"forma.dev/shared/fieldtype"
)

// TestFactsAreComplete: every type says which lookups it takes (known ones, in their
// fixed order), how it travels, its JSON type and the designer's input.
func TestFactsAreComplete(t *testing.T) {
	all := fieldtype.AllLookups()
	for _, d := range fieldtype.Describe() {
		if len(d.Lookups) == 0 {
			t.Errorf("%s: takes no lookup", d.Name)
		}
		last := -1
		for _, lk := range d.Lookups {
			i := slices.Index(all, lk)
			if i <= last {
				t.Errorf("%s: lookup %q unknown or out of order in %q", d.Name, lk, d.Lookups)
			}
			last = i
		}
		for _, facts := range [][2][]string{{d.Measures, fieldtype.AllMeasures()}, {d.Buckets, fieldtype.AllBuckets()}} {
			last := -1
			for _, name := range facts[0] {
				i := slices.Index(facts[1], name)
				if i <= last {
					t.Errorf("%s: %q unknown or out of order in %q", d.Name, name, facts[0])
				}
				last = i
			}
		}
		if slices.Contains(d.Measures, "sum") != slices.Contains([]fieldtype.Wire{fieldtype.WireInteger, fieldtype.WireFloat}, d.Wire) && d.Name != "decimal" && d.Name != "relation" {
			t.Errorf("%s: sum %v for wire %s", d.Name, d.Measures, d.Wire)
		}
		if !slices.Contains(fieldtype.Wires, d.Wire) {
			t.Errorf("%s: wire %q", d.Name, d.Wire)
		}
		if !slices.Contains([]string{"", "string", "integer", "number", "boolean"}, d.JSON.Type) {
			t.Errorf("%s: JSON type %q", d.Name, d.JSON.Type)
		}
		for _, p := range []string{d.JSON.Pattern, d.JSON.InputPattern} {
			if _, err := regexp.Compile(p); err != nil {
				t.Errorf("%s: pattern %q: %v", d.Name, p, err)
			}
		}
		if !slices.Contains([]string{"input", "select", "textarea"}, d.Input.Control) ||
			!slices.Contains([]string{"text", "json", "bool", "json-strict"}, d.Input.Parse) {
			t.Errorf("%s: input %+v", d.Name, d.Input)
		}
	}
}

// TestDecimalPatternFollowsTheOptions: a decimal's values match the pattern of its codec.
func TestDecimalPatternFollowsTheOptions(t *testing.T) {
	typ, _ := fieldtype.Lookup("decimal")
	for _, s := range []struct {
		o       fieldtype.Options
		in, out string
	}{
		{fieldtype.Options{"precision": 5, "scale": 0}, "12345", "-123456"},
		{fieldtype.Options{"precision": 4, "scale": 2}, "-12.30", "123.00"},
		{fieldtype.Options{"precision": 2, "scale": 2}, "0.05", "1.00"},
	} {
		c := typ.Compile(s.o)
		re := regexp.MustCompile(c.(fieldtype.Patterner).Pattern())
		v, p := c.Normalize(s.in)
		if p != nil || !re.MatchString(v.(string)) || re.MatchString(s.out) {
			t.Errorf("%v: %q → %v %v; %q matches %s: %v", s.o, s.in, v, p, s.out, re, re.MatchString(s.out))
		}
	}
}
