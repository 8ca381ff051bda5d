package fieldtype_test

import (
	"math"
	"testing"
)

func TestIntegerOptions(t *testing.T) {
	testOptions(t, "integer", []optionCase{
		{`{}`, nil},
		{`{"min": 0, "max": 10}`, nil},
		{`{"min": -9223372036854775808, "max": 9223372036854775807}`, nil},
		{`{"min": 0.5}`, []string{"min:invalid_type"}},
		{`{"max": "10"}`, []string{"max:invalid_type"}},
		{`{"min": 5, "max": 4}`, []string{"max:min"}},
		{`{"min": 1e30}`, []string{"min:max"}},
		{`{"step": 1}`, []string{"step:unknown_option"}},
	})
	testColumns(t, "integer", []columnCase{{``, "bigint"}, {`{"min": 1}`, "bigint"}})
}

func TestIntegerValues(t *testing.T) {
	testValues(t, "integer", ``, []valueCase{
		{`5`, int64(5), ""},
		{`-42`, int64(-42), ""},
		{`0`, int64(0), ""},
		{`1.0`, int64(1), ""},
		{`1e3`, int64(1000), ""},
		{`-9223372036854775808`, int64(math.MinInt64), ""},
		{`1.5`, nil, "invalid_type"},
		{`"5"`, nil, "invalid_type"},
		{`true`, nil, "invalid_type"},
		{`[5]`, nil, "invalid_type"},
		{`1e19`, nil, "max"},
		{`-1e19`, nil, "min"},
	})
	testValues(t, "integer", `{"min": 0, "max": 100}`, []valueCase{
		{`0`, int64(0), ""},
		{`100`, int64(100), ""},
		{`-1`, nil, "min"},
		{`101`, nil, "max"},
	})
}

func TestIntegerExactWithUseNumber(t *testing.T) {
	codec := lookup(t, "integer").Compile(nil)
	for in, want := range map[string]any{
		`9223372036854775807`:       int64(math.MaxInt64),
		`9007199254740993`:          int64(9007199254740993),
		`9223372036854775808`:       "max",
		`-9223372036854775809`:      "min",
		`12345678901234567890.0e-1`: int64(1234567890123456789),
		`0.00e5`:                    int64(0),
		`1e400`:                     "max",
	} {
		got, p := codec.Normalize(decode(t, in, true))
		if p != nil {
			got = p.Code
		}
		if got != want {
			t.Errorf("%s: got %#v, want %#v", in, got, want)
		}
	}
}

func TestFloat(t *testing.T) {
	testOptions(t, "float", []optionCase{
		{`{"min": -1.5, "max": 2.5}`, nil},
		{`{"min": 3, "max": 2.5}`, []string{"max:min"}},
		{`{"min": "1"}`, []string{"min:invalid_type"}},
	})
	testColumns(t, "float", []columnCase{{``, "double precision"}})
	testValues(t, "float", ``, []valueCase{
		{`1.5`, 1.5, ""},
		{`-2`, -2.0, ""},
		{`1e308`, 1e308, ""},
		{`"1.5"`, nil, "invalid_type"},
		{`null`, nil, "invalid_type"},
	})
	testValues(t, "float", `{"min": 0, "max": 1}`, []valueCase{
		{`0.5`, 0.5, ""},
		{`-0.1`, nil, "min"},
		{`1.1`, nil, "max"},
	})
	codec := lookup(t, "float").Compile(nil)
	for _, v := range []any{math.NaN(), math.Inf(1), decode(t, `1e400`, true)} {
		if _, p := codec.Normalize(v); p == nil || p.Code != "invalid_value" {
			t.Errorf("%v: got %v, want invalid_value", v, p)
		}
	}
}

func TestDecimal(t *testing.T) {
	testOptions(t, "decimal", []optionCase{
		{`{}`, nil},
		{`{"precision": 10, "scale": 4}`, nil},
		{`{"precision": 1000, "scale": 1000}`, nil},
		{`{"precision": 0}`, []string{"precision:min"}},
		{`{"precision": 1001}`, []string{"precision:max"}},
		{`{"scale": -1}`, []string{"scale:min"}},
		{`{"precision": 4, "scale": 5}`, []string{"scale:max"}},
		{`{"scale": 19}`, []string{"scale:max"}}, // precision defaults to 18
	})
	testColumns(t, "decimal", []columnCase{
		{``, "numeric(18,2)"},
		{`{"precision": 10, "scale": 0}`, "numeric(10,0)"},
		{`{"scale": 4}`, "numeric(18,4)"},
	})
	testValues(t, "decimal", `{"precision": 6, "scale": 2}`, []valueCase{
		{`12.5`, "12.50", ""},
		{`"12.5"`, "12.50", ""},
		{`"0012.5"`, "12.50", ""},
		{`0`, "0.00", ""},
		{`"-0"`, "0.00", ""},
		{`-3`, "-3.00", ""},
		{`"+3"`, "3.00", ""},
		{`".5"`, "0.50", ""},
		{`"5."`, "5.00", ""},
		{`1.005`, "1.01", ""}, // rounded half away from zero, like Postgres
		{`-1.005`, "-1.01", ""},
		{`1.004`, "1.00", ""},
		{`0.004`, "0.00", ""},
		{`-0.004`, "0.00", ""},
		{`0.005`, "0.01", ""},
		{`1e-9`, "0.00", ""},
		{`"1.5e2"`, "150.00", ""},
		{`1e3`, "1000.00", ""},
		{`9999.99`, "9999.99", ""},
		{`"9999.994"`, "9999.99", ""},
		{`"9999.995"`, nil, "precision"}, // rounds up to 10000.00
		{`10000`, nil, "precision"},
		{`"1e999999999999"`, nil, "precision"},
		{`"1e-999999999999"`, "0.00", ""},
		{`"12,5"`, nil, "invalid_format"},
		{`" 1"`, nil, "invalid_format"},
		{`"1e"`, nil, "invalid_format"},
		{`"."`, nil, "invalid_format"},
		{`"NaN"`, nil, "invalid_format"},
		{`""`, nil, "invalid_format"},
		{`true`, nil, "invalid_type"},
	})
	testValues(t, "decimal", `{"precision": 3, "scale": 0}`, []valueCase{
		{`999`, "999", ""},
		{`"999.4"`, "999", ""},
		{`"0.5"`, "1", ""},
		{`"0.49"`, "0", ""},
		{`1000`, nil, "precision"},
	})
	testValues(t, "decimal", `{"precision": 3, "scale": 3}`, []valueCase{
		{`0.5`, "0.500", ""},
		{`"0.9999"`, nil, "precision"},
		{`1`, nil, "precision"},
	})
	codec := lookup(t, "decimal").Compile(nil)
	if got, p := codec.Normalize(decode(t, `"1234567890123456.789"`, true)); p != nil || got != "1234567890123456.79" {
		t.Errorf("big decimal: %#v %v", got, p)
	}
	if _, p := codec.Normalize(math.Inf(1)); p == nil {
		t.Error("infinity accepted")
	}
}

func TestRelation(t *testing.T) {
	testOptions(t, "relation", []optionCase{
		{`{}`, nil},
		{`{"on_delete": "cascade"}`, nil},
		{`{"on_delete": "set_null"}`, nil},
		{`{"on_delete": "restrict"}`, nil},
		{`{"on_delete": "nothing"}`, []string{"on_delete:choice"}},
		{`{"on_delete": true}`, []string{"on_delete:invalid_type"}},
	})
	testColumns(t, "relation", []columnCase{{``, "bigint"}})
	testValues(t, "relation", `{"on_delete": "cascade"}`, []valueCase{
		{`1`, int64(1), ""},
		{`42.0`, int64(42), ""},
		{`0`, nil, "min"},
		{`-1`, nil, "min"},
		{`1.5`, nil, "invalid_type"},
		{`"1"`, nil, "invalid_type"},
	})
}
