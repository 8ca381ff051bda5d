package fieldtype_test

import (
	"testing"
	"time"

	"forma.dev/shared/fieldtype"
)

func TestDate(t *testing.T) {
	testOptions(t, "date", []optionCase{{`{}`, nil}, {`{"auto_now": true}`, []string{"auto_now:unknown_option"}}})
	testColumns(t, "date", []columnCase{{``, "date"}})
	testValues(t, "date", ``, []valueCase{
		{`"2024-05-01"`, "2024-05-01", ""},
		{`"2024-02-29"`, "2024-02-29", ""},
		{`"2000-02-29"`, "2000-02-29", ""},
		{`"0001-01-01"`, "0001-01-01", ""},
		{`"9999-12-31"`, "9999-12-31", ""},
		{`"2023-02-29"`, nil, "invalid_format"},
		{`"1900-02-29"`, nil, "invalid_format"},
		{`"2024-04-31"`, nil, "invalid_format"},
		{`"2024-13-01"`, nil, "invalid_format"},
		{`"2024-00-10"`, nil, "invalid_format"},
		{`"0000-01-01"`, nil, "invalid_format"},
		{`"2024-5-1"`, nil, "invalid_format"},
		{`"2024-05-01T00:00:00Z"`, nil, "invalid_format"},
		{`"2024/05/01"`, nil, "invalid_format"},
		{`"+024-05-01"`, nil, "invalid_format"},
		{`20240501`, nil, "invalid_type"},
	})
}

func TestDatetime(t *testing.T) {
	testOptions(t, "datetime", []optionCase{
		{`{}`, nil},
		{`{"auto_now": true}`, nil},
		{`{"auto_now_add": true, "auto_now": false}`, nil},
		{`{"auto_now": true, "auto_now_add": true}`, []string{"auto_now_add:invalid_value"}},
		{`{"auto_now": 1}`, []string{"auto_now:invalid_type"}},
	})
	testColumns(t, "datetime", []columnCase{{``, "timestamptz"}, {`{"auto_now": true}`, "timestamptz"}})
	testValues(t, "datetime", ``, []valueCase{
		{`"2024-05-01T10:30:00Z"`, "2024-05-01T10:30:00Z", ""},
		{`"2024-05-01T12:30:00+02:00"`, "2024-05-01T10:30:00Z", ""},
		{`"2024-05-01T00:30:00-01:00"`, "2024-05-01T01:30:00Z", ""},
		{`"2024-05-01T10:30:00.250Z"`, "2024-05-01T10:30:00.25Z", ""},
		{`"2024-05-01T10:30:00.000Z"`, "2024-05-01T10:30:00Z", ""},
		{`"2024-05-01T10:30:00.1234564Z"`, "2024-05-01T10:30:00.123456Z", ""},
		{`"2024-05-01T10:30:00.1234565Z"`, "2024-05-01T10:30:00.123457Z", ""},
		{`"2024-12-31T23:59:59.9999999Z"`, "2025-01-01T00:00:00Z", ""},
		{`"0001-01-01T00:00:00Z"`, "0001-01-01T00:00:00Z", ""},
		{`"0001-01-01T00:30:00+01:00"`, nil, "invalid_format"}, // year 0 in UTC
		{`"9999-12-31T23:30:00-01:00"`, nil, "invalid_format"}, // year 10000 in UTC
		{`"2024-05-01 10:30:00Z"`, nil, "invalid_format"},
		{`"2024-05-01T10:30:00"`, nil, "invalid_format"},
		{`"2024-05-01"`, nil, "invalid_format"},
		{`"2024-02-30T10:30:00Z"`, nil, "invalid_format"},
		{`"2024-05-01T24:00:00Z"`, nil, "invalid_format"},
		{`"yesterday"`, nil, "invalid_format"},
		{`1714559400`, nil, "invalid_type"},
	})
	got := fieldtype.FormatDatetime(time.Date(2024, 5, 1, 12, 30, 0, 500, time.FixedZone("x", 7200)))
	if got != "2024-05-01T10:30:00.000001Z" {
		t.Errorf("FormatDatetime: %s", got)
	}
}

func TestIsAuto(t *testing.T) {
	scenarios := []struct {
		typ         string
		opts        fieldtype.Options
		now, nowAdd bool
	}{
		{"datetime", nil, false, false},
		{"datetime", fieldtype.Options{"auto_now": true}, true, false},
		{"datetime", fieldtype.Options{"auto_now_add": true}, false, true},
		{"date", fieldtype.Options{"auto_now": true}, false, false},
		{"nope", nil, false, false},
	}
	for _, s := range scenarios {
		if now, add := fieldtype.IsAuto(s.typ, s.opts); now != s.now || add != s.nowAdd {
			t.Errorf("IsAuto(%s, %v) = %v, %v", s.typ, s.opts, now, add)
		}
	}
}

func TestTime(t *testing.T) {
	testOptions(t, "time", []optionCase{{`{}`, nil}})
	testColumns(t, "time", []columnCase{{``, "time"}})
	testValues(t, "time", ``, []valueCase{
		{`"10:30"`, "10:30:00", ""},
		{`"10:30:15"`, "10:30:15", ""},
		{`"00:00:00"`, "00:00:00", ""},
		{`"23:59:59.999999"`, "23:59:59.999999", ""},
		{`"10:30:15.500"`, "10:30:15.5", ""},
		{`"10:30:15.000"`, "10:30:15", ""},
		{`"10:30:15.0000001"`, nil, "invalid_format"},
		{`"10:30:15."`, nil, "invalid_format"},
		{`"24:00"`, nil, "invalid_format"},
		{`"10:60"`, nil, "invalid_format"},
		{`"10:30:60"`, nil, "invalid_format"},
		{`"1:30"`, nil, "invalid_format"},
		{`"10:30:1"`, nil, "invalid_format"},
		{`"10:30+02:00"`, nil, "invalid_format"},
		{`"10:30:00Z"`, nil, "invalid_format"},
		{`"ab:cd"`, nil, "invalid_format"},
		{`1030`, nil, "invalid_type"},
	})
}
