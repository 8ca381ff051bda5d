package fieldtype_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	"forma.dev/shared/fieldtype"
)

// fuzzOptions are the option sets every type is fuzzed with (unknown options are ignored).
var fuzzOptions = []fieldtype.Options{
	nil,
	{"max_length": 5.0, "min_length": 1.0, "pattern": "^[a-z@.]*$", "min": -10.0, "max": 10.0,
		"precision": 4.0, "scale": 2.0},
	{"precision": 30.0, "scale": 0.0, "max_length": 300.0},
}

// FuzzNormalize checks that no value crashes a codec and that normalising a normalised
// value gives it back unchanged.
func FuzzNormalize(f *testing.F) {
	for _, seed := range []string{`"hello"`, `5`, `-1.5e3`, `"12.345"`, `true`, `null`, `[1,"a"]`,
		`{"a":{}}`, `"2024-05-01T12:30:00.1234567+02:00"`, `"2024-02-29"`, `"10:30:00.500"`,
		`"123E4567-E89B-12D3-A456-42661417400F"`, `"Ada@Example.COM"`, `"https://example.com/x"`,
		`9223372036854775808`, `"1e999999999"`, `"\u0000"`} {
		f.Add(seed)
	}
	codecs := map[string]fieldtype.Codec{}
	for _, typ := range fieldtype.All() {
		for i, o := range fuzzOptions {
			codecs[typ.Name()+string(rune('0'+i))] = typ.Compile(o)
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		for _, useNumber := range []bool{false, true} {
			d := json.NewDecoder(strings.NewReader(src))
			if useNumber {
				d.UseNumber()
			}
			var v any
			if d.Decode(&v) != nil || v == nil {
				continue
			}
			for name, c := range codecs {
				got, p := c.Normalize(v)
				if p != nil {
					if p.Code == "" || p.Message == "" {
						t.Fatalf("%s: empty problem %+v", name, p)
					}
					continue
				}
				again, p := c.Normalize(got)
				if p != nil || !reflect.DeepEqual(again, got) {
					t.Fatalf("%s: %s normalised to %#v, then to %#v (%v)", name, src, got, again, p)
				}
			}
		}
	})
}
