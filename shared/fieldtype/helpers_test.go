package fieldtype_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"forma.dev/shared/fieldtype"
)

// valueCase is one value (a JSON literal) and what it normalises to, or the problem code.
type valueCase struct {
	in   string
	want any
	code string
}

// optionCase is one options object (JSON) and the problems it has, as "path:code".
type optionCase struct {
	opts string
	want []string
}

// columnCase is one options object (JSON) and the column type it gives.
type columnCase struct {
	opts   string
	column string
}

func decode(t testing.TB, src string, useNumber bool) any {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(src))
	if useNumber {
		d.UseNumber()
	}
	var v any
	if err := d.Decode(&v); err != nil {
		t.Fatalf("decode %s: %v", src, err)
	}
	return v
}

func options(t testing.TB, src string, useNumber bool) fieldtype.Options {
	if src == "" {
		return nil
	}
	m, _ := decode(t, src, useNumber).(map[string]any)
	return fieldtype.Options(m)
}

func lookup(t testing.TB, name string) fieldtype.Type {
	t.Helper()
	typ, ok := fieldtype.Lookup(name)
	if !ok {
		t.Fatalf("type %q is not registered", name)
	}
	return typ
}

// both runs f with JSON decoded as float64 and with UseNumber.
func both(t *testing.T, f func(t *testing.T, useNumber bool)) {
	t.Run("float64", func(t *testing.T) { f(t, false) })
	t.Run("UseNumber", func(t *testing.T) { f(t, true) })
}

func testValues(t *testing.T, typ, opts string, cases []valueCase) {
	t.Helper()
	both(t, func(t *testing.T, useNumber bool) {
		o := options(t, opts, useNumber)
		if ps := fieldtype.ValidateOptions(lookup(t, typ), o); len(ps) > 0 {
			t.Fatalf("options %s: %v", opts, ps)
		}
		codec := lookup(t, typ).Compile(o)
		for _, c := range cases {
			got, p := codec.Normalize(decode(t, c.in, useNumber))
			switch {
			case c.code != "" && p == nil:
				t.Errorf("%s %s: got %#v, want problem %s", typ, c.in, got, c.code)
			case c.code != "" && (p.Code != c.code || p.Path != "" || p.Message == ""):
				t.Errorf("%s %s: got problem %+v, want %s", typ, c.in, *p, c.code)
			case c.code == "" && p != nil:
				t.Errorf("%s %s: got problem %v, want %#v", typ, c.in, p, c.want)
			case c.code == "" && !reflect.DeepEqual(got, c.want):
				t.Errorf("%s %s: got %#v (%T), want %#v (%T)", typ, c.in, got, got, c.want, c.want)
			case c.code == "":
				again, p := codec.Normalize(got)
				if p != nil || !reflect.DeepEqual(again, got) {
					t.Errorf("%s %s: normalising %#v again gave %#v, %v", typ, c.in, got, again, p)
				}
			}
		}
	})
}

func testOptions(t *testing.T, typ string, cases []optionCase) {
	t.Helper()
	both(t, func(t *testing.T, useNumber bool) {
		for _, c := range cases {
			var got []string
			for _, p := range fieldtype.ValidateOptions(lookup(t, typ), options(t, c.opts, useNumber)) {
				got = append(got, p.Path+":"+p.Code)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("%s options %s: got %v, want %v", typ, c.opts, got, c.want)
			}
		}
	})
}

func testColumns(t *testing.T, typ string, cases []columnCase) {
	t.Helper()
	both(t, func(t *testing.T, useNumber bool) {
		for _, c := range cases {
			if got := lookup(t, typ).Compile(options(t, c.opts, useNumber)).Column(); got != c.column {
				t.Errorf("%s options %s: column %q, want %q", typ, c.opts, got, c.column)
			}
		}
	})
}
