package fieldtype

import "forma.dev/shared/problem"

func init() { Register(dateType{}) }

// dateType is a calendar date, "YYYY-MM-DD" (years 0001 to 9999).
type dateType struct{}

var _ Type = dateType{}

func (dateType) Name() string { return "date" }

func (dateType) Describe() Description {
	return Description{
		Name: "date", Label: "Date", Help: "A calendar date, YYYY-MM-DD.",
		Choices: true, Unique: true, Options: []OptionSpec{},
		Lookups: orderedLookups(), Sortable: true, Wire: WireTextCast,
		Measures: orderedMeasures(), Buckets: dateBuckets(),
		JSON:  JSONSchema{Type: "string", Format: "date"},
		Input: Input{Control: "input", HTML: "text", Placeholder: "2026-01-31", Parse: "text"},
	}
}

func (dateType) CheckOptions(Options) problem.List { return nil }

func (dateType) Compile(Options) Codec { return dateCodec{} }

type dateCodec struct{}

func (dateCodec) Column() string { return "date" }

func (dateCodec) Normalize(v any) (any, *problem.Problem) {
	s, ok := v.(string)
	if !ok {
		return nil, invalidType("a string")
	}
	if !validDate(s) {
		return nil, invalidFormat("date (YYYY-MM-DD)")
	}
	return v, nil
}

// validDate tells whether s is an existing date written YYYY-MM-DD, year 0001 or later.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	return ok1 && ok2 && ok3 && y >= 1 && m >= 1 && m <= 12 && d >= 1 && d <= daysIn(m, y)
}

// digits reads a short run of ASCII digits.
func digits(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, len(s) > 0
}

func daysIn(month, year int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}
