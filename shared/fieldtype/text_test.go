package fieldtype_test

import (
	"strings"
	"testing"
)

func TestTextOptions(t *testing.T) {
	testOptions(t, "text", []optionCase{
		{`{}`, nil},
		{`{"max_length": 3, "min_length": 1, "pattern": "^[A-Z]+$"}`, nil},
		{`{"max_length": null}`, nil},
		{`{"max_length": 0}`, []string{"max_length:min"}},
		{`{"max_length": 10485761}`, []string{"max_length:max"}},
		{`{"max_length": 2.5}`, []string{"max_length:invalid_type"}},
		{`{"max_length": "3"}`, []string{"max_length:invalid_type"}},
		{`{"min_length": -1}`, []string{"min_length:min"}},
		{`{"min_length": 5, "max_length": 4}`, []string{"max_length:min"}},
		{`{"min_length": 4, "max_length": 4}`, nil},
		{`{"pattern": "("}`, []string{"pattern:invalid_format"}},
		{`{"pattern": 1, "size": 2}`, []string{"pattern:invalid_type", "size:unknown_option"}},
	})
}

func TestTextColumn(t *testing.T) {
	testColumns(t, "text", []columnCase{
		{``, "text"},
		{`{"min_length": 2}`, "text"},
		{`{"max_length": 3}`, "varchar(3)"},
		{`{"max_length": 10485760}`, "varchar(10485760)"},
	})
}

func TestTextValues(t *testing.T) {
	testValues(t, "text", ``, []valueCase{
		{`"hello"`, "hello", ""},
		{`""`, "", ""},
		{`"  spaced  "`, "  spaced  ", ""},
		{`"zażółć"`, "zażółć", ""},
		{`"a\u0000b"`, nil, "invalid_value"},
		{`5`, nil, "invalid_type"},
		{`true`, nil, "invalid_type"},
		{`["a"]`, nil, "invalid_type"},
		{`{"a": 1}`, nil, "invalid_type"},
		{`"` + strings.Repeat("x", 100000) + `"`, strings.Repeat("x", 100000), ""},
	})
	testValues(t, "text", `{"max_length": 3, "min_length": 2}`, []valueCase{
		{`"PL"`, "PL", ""},
		{`"żół"`, "żół", ""}, // 3 characters, 6 bytes
		{`"abcd"`, nil, "max_length"},
		{`"a"`, nil, "min_length"},
		{`""`, nil, "min_length"},
	})
	testValues(t, "text", `{"pattern": "^[A-Z]{2}$"}`, []valueCase{
		{`"PL"`, "PL", ""},
		{`"pl"`, nil, "pattern"},
		{`"PLX"`, nil, "pattern"},
	})
	testValues(t, "text", `{"pattern": "[0-9]"}`, []valueCase{
		{`"a1b"`, "a1b", ""}, // unanchored: matches anywhere
		{`"ab"`, nil, "pattern"},
	})
}
