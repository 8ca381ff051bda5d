package fieldtype

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"

	"forma.dev/shared/problem"
)

// fail builds a problem with an empty path, for codecs to return.
func fail(code string, params map[string]any) *problem.Problem {
	p := problem.New("", code, params)
	return &p
}

func invalidType(expected string) *problem.Problem {
	return fail(problem.InvalidType, map[string]any{"expected": expected})
}

func invalidFormat(format string) *problem.Problem {
	return fail(problem.InvalidFormat, map[string]any{"format": format})
}

// plainString accepts a string that Postgres can store in a text column: valid UTF-8
// without NUL characters.
func plainString(v any) (string, *problem.Problem) {
	s, ok := v.(string)
	if !ok {
		return "", invalidType("a string")
	}
	return s, CheckText(s)
}

// CheckText reports a string that Postgres cannot store in a text or jsonb value: one
// with a NUL character (invalid_value) or that is not valid UTF-8 (invalid_format). The
// problem's path is empty.
func CheckText(s string) *problem.Problem {
	if strings.IndexByte(s, 0) >= 0 {
		return fail(problem.InvalidValue, map[string]any{"reason": "contains a NUL character"})
	}
	if !utf8.ValidString(s) {
		return invalidFormat("UTF-8 text")
	}
	return nil
}

// toInt64 reads a whole number from a JSON value (float64 or json.Number, also int and
// int64). "1.0" and "1e3" are whole numbers; strings and fractions are not.
func toInt64(v any) (int64, *problem.Problem) {
	switch n := v.(type) {
	case int64:
		return n, nil
	case int:
		return int64(n), nil
	case float64:
		return floatToInt64(n)
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, nil
		}
		d, ok := parseDecimal(string(n))
		if !ok {
			return 0, invalidType("a whole number")
		}
		return d.int64()
	}
	return 0, invalidType("a whole number")
}

func floatToInt64(f float64) (int64, *problem.Problem) {
	switch {
	case math.IsNaN(f) || math.IsInf(f, 0) || f != math.Trunc(f):
		return 0, invalidType("a whole number")
	case f < -(1 << 63):
		return 0, fail(problem.Min, map[string]any{"min": int64(math.MinInt64)})
	case f >= 1<<63:
		return 0, fail(problem.Max, map[string]any{"max": int64(math.MaxInt64)})
	}
	return int64(f), nil
}

// toFloat reads a finite number from a JSON value (float64 or json.Number, also int and int64).
func toFloat(v any) (float64, *problem.Problem) {
	var f float64
	switch n := v.(type) {
	case float64:
		f = n
	case int64:
		f = float64(n)
	case int:
		f = float64(n)
	case json.Number:
		var err error
		if f, err = strconv.ParseFloat(string(n), 64); err != nil && !isRangeErr(err) {
			return 0, invalidType("a number")
		}
	default:
		return 0, invalidType("a number")
	}
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return 0, fail(problem.InvalidValue, map[string]any{"reason": "not a finite double precision number"})
	}
	return f, nil
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

// optInt64 reads an integer option exactly (json.Number keeps every digit), clamped to int64.
func optInt64(o Options, name string) (int64, bool) {
	switch n := o[name].(type) {
	case json.Number:
		if i, err := strconv.ParseInt(string(n), 10, 64); err == nil {
			return i, true
		}
	case int64:
		return n, true
	case int:
		return int64(n), true
	}
	f, ok := number(o[name])
	switch {
	case !ok || math.IsNaN(f):
		return 0, false
	case f <= -(1 << 63):
		return math.MinInt64, true
	case f >= 1<<63:
		return math.MaxInt64, true
	}
	return int64(f), true
}
