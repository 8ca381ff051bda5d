package fieldtype_test

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestBoolean(t *testing.T) {
	testOptions(t, "boolean", []optionCase{{`{}`, nil}, {`{"x": 1}`, []string{"x:unknown_option"}}})
	testColumns(t, "boolean", []columnCase{{``, "boolean"}})
	testValues(t, "boolean", ``, []valueCase{
		{`true`, true, ""},
		{`false`, false, ""},
		{`"true"`, nil, "invalid_type"},
		{`1`, nil, "invalid_type"},
	})
}

func TestUUID(t *testing.T) {
	testColumns(t, "uuid", []columnCase{{``, "uuid"}})
	testValues(t, "uuid", ``, []valueCase{
		{`"123e4567-e89b-12d3-a456-426614174000"`, "123e4567-e89b-12d3-a456-426614174000", ""},
		{`"123E4567-E89B-12D3-A456-42661417400F"`, "123e4567-e89b-12d3-a456-42661417400f", ""},
		{`"00000000-0000-0000-0000-000000000000"`, "00000000-0000-0000-0000-000000000000", ""},
		{`"{123e4567-e89b-12d3-a456-426614174000}"`, nil, "invalid_format"},
		{`"123e4567e89b12d3a456426614174000"`, nil, "invalid_format"},
		{`"123e4567-e89b-12d3-a456-42661417400g"`, nil, "invalid_format"},
		{`"123e4567+e89b-12d3-a456-426614174000"`, nil, "invalid_format"},
		{`""`, nil, "invalid_format"},
		{`5`, nil, "invalid_type"},
	})
}

func TestJSON(t *testing.T) {
	testOptions(t, "json", []optionCase{{`{}`, nil}})
	testColumns(t, "json", []columnCase{{``, "jsonb"}})
	testValues(t, "json", ``, []valueCase{
		{`true`, true, ""},
		{`"text"`, "text", ""},
		{`[]`, []any{}, ""},
		{`{"a": [true, "x", null]}`, map[string]any{"a": []any{true, "x", nil}}, ""},
		{`"a\u0000"`, nil, "invalid_value"},
		{`{"a\u0000": 1}`, nil, "invalid_value"},
		{`[["\u0000"]]`, nil, "invalid_value"},
	})
	both(t, func(t *testing.T, useNumber bool) {
		codec := lookup(t, "json").Compile(nil)
		in := decode(t, `{"n": 1.5, "list": [1, 2]}`, useNumber)
		got, p := codec.Normalize(in)
		if p != nil {
			t.Fatal(p)
		}
		if b, _ := json.Marshal(got); string(b) != `{"list":[1,2],"n":1.5}` {
			t.Errorf("got %s", b)
		}
	})
	if _, p := lookup(t, "json").Compile(nil).Normalize(struct{}{}); p == nil {
		t.Error("a Go struct is not a JSON value")
	}
	if d := lookup(t, "json").Describe(); d.Choices || d.Unique {
		t.Errorf("json takes no choices and cannot be unique: %+v", d)
	}
}

func TestEmail(t *testing.T) {
	testOptions(t, "email", []optionCase{
		{`{}`, nil},
		{`{"max_length": 254}`, nil},
		{`{"max_length": 0}`, []string{"max_length:min"}},
		{`{"min_length": 3}`, []string{"min_length:unknown_option"}},
	})
	testColumns(t, "email", []columnCase{{``, "text"}, {`{"max_length": 254}`, "varchar(254)"}})
	testValues(t, "email", ``, []valueCase{
		{`"ada@example.com"`, "ada@example.com", ""},
		{`"Ada.Lovelace+x@Example.COM"`, "Ada.Lovelace+x@example.com", ""},
		{`"a@b.co"`, "a@b.co", ""},
		{`"ada@sub.example.org"`, "ada@sub.example.org", ""},
		{`"ada@localhost"`, nil, "invalid_format"},
		{`"@example.com"`, nil, "invalid_format"},
		{`"ada@"`, nil, "invalid_format"},
		{`"ada"`, nil, "invalid_format"},
		{`"a@b@example.com"`, nil, "invalid_format"},
		{`"ada lovelace@example.com"`, nil, "invalid_format"},
		{`"ada@example.com "`, nil, "invalid_format"},
		{`"ada@.example.com"`, nil, "invalid_format"},
		{`"ada@example.com."`, nil, "invalid_format"},
		{`"ada@example..com"`, nil, "invalid_format"},
		{`"ada\t@example.com"`, nil, "invalid_format"},
		{`1`, nil, "invalid_type"},
	})
	testValues(t, "email", `{"max_length": 10}`, []valueCase{
		{`"a@b.cd"`, "a@b.cd", ""},
		{`"ada@example.com"`, nil, "max_length"},
	})
}

func TestURL(t *testing.T) {
	testOptions(t, "url", []optionCase{{`{}`, nil}})
	testColumns(t, "url", []columnCase{{``, "text"}})
	testValues(t, "url", ``, []valueCase{
		{`"https://example.com"`, "https://example.com", ""},
		{`"http://example.com/a/b?c=d#e"`, "http://example.com/a/b?c=d#e", ""},
		{`"HTTPS://Example.com/X"`, "HTTPS://Example.com/X", ""},
		{`"http://127.0.0.1:8080/"`, "http://127.0.0.1:8080/", ""},
		{`"http://[::1]/"`, "http://[::1]/", ""},
		{`"ftp://example.com"`, nil, "invalid_format"},
		{`"example.com"`, nil, "invalid_format"},
		{`"/relative/path"`, nil, "invalid_format"},
		{`"http://"`, nil, "invalid_format"},
		{`"http:example.com"`, nil, "invalid_format"},
		{`"https://exa mple.com"`, nil, "invalid_format"},
		{`"https://example.com/a b"`, nil, "invalid_format"},
		{`"javascript:alert(1)"`, nil, "invalid_format"},
		{`"http://%zz"`, nil, "invalid_format"},
		{`""`, nil, "invalid_format"},
		{`["https://example.com"]`, nil, "invalid_type"},
	})
	long := `"https://example.com/` + strings.Repeat("a", 5000) + `"`
	testValues(t, "url", ``, []valueCase{{long, strings.Trim(long, `"`), ""}})
}
