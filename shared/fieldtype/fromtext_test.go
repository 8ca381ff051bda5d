package fieldtype

import (
	"encoding/json"
	"reflect"
	"testing"
)

func TestFromTextReadsAsTheInputSays(t *testing.T) {
	scenarios := []struct {
		parse, raw string
		want       any
		bad        bool
	}{
		{"text", " a b ", " a b ", false},
		{"text", "12", "12", false},
		{"json", "12", json.Number("12"), false},
		{"json", " -1.5e3 ", json.Number("-1.5e3"), false},
		{"json", "007", "007", false},
		{"json", "1.", "1.", false},
		{"json", "true", true, false},
		{"json", "null", nil, false},
		{"json", "twelve", "twelve", false},
		{"bool", "false", false, false},
		{"bool", "yes", "yes", false},
		{"json-strict", `{"a":[1,2]}`, map[string]any{"a": []any{json.Number("1"), json.Number("2")}}, false},
		{"json-strict", `"x"`, "x", false},
		{"json-strict", `{"a":1} 2`, nil, true},
		{"json-strict", `{`, nil, true},
		{"json-strict", ``, nil, true},
	}
	for _, s := range scenarios {
		got, p := FromText(s.parse, s.raw)
		if (p != nil) != s.bad || !s.bad && !reflect.DeepEqual(got, s.want) {
			t.Errorf("FromText(%q, %q) = %#v, %v; want %#v", s.parse, s.raw, got, p, s.want)
		}
	}
}

// FuzzIsJSONNumber: isJSONNumber agrees with encoding/json on what a number is.
func FuzzIsJSONNumber(f *testing.F) {
	for _, s := range []string{"0", "-0", "01", "1.5", "1e5", "-1.2E-3", "1.", ".5", "-", "1e", "+1", "9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var n json.Number
		valid := json.Unmarshal([]byte(s), &n) == nil && string(n) == s
		if got := isJSONNumber(s); got != valid {
			t.Fatalf("isJSONNumber(%q) = %v, encoding/json says %v", s, got, valid)
		}
	})
}
