package fieldtype

import (
	"encoding/json"
	"strconv"
	"strings"

	"forma.dev/shared/problem"
)

// FromText turns the text of a value (a CSV cell, what is typed in an input) into the
// JSON value the type's codec takes, as its Input.Parse says: "text" keeps the text;
// "json" reads a number, true, false or null when the trimmed text spells one, and
// keeps the text otherwise (the codec then refuses it with its own problem); "bool"
// reads "true" and "false" and keeps anything else; "json-strict" reads any JSON value
// and refuses text that is not one. The designer's fromInput (web/src/lib/records.ts)
// reads its inputs the same way. The problem's path is empty.
func FromText(parse, raw string) (any, *problem.Problem) {
	switch parse {
	case "json":
		s := strings.TrimSpace(raw)
		switch s {
		case "true":
			return true, nil
		case "false":
			return false, nil
		case "null":
			return nil, nil
		}
		if isJSONNumber(s) {
			return json.Number(s), nil
		}
		return raw, nil
	case "bool":
		switch raw {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
		return raw, nil
	case "json-strict":
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil || dec.More() {
			return nil, invalidFormat("JSON")
		}
		if _, err := dec.Token(); err == nil {
			return nil, invalidFormat("JSON")
		}
		return v, nil
	}
	return raw, nil
}

// isJSONNumber reports whether s is a number as JSON writes it: -?int(.digits)?([eE][+-]?digits)?
func isJSONNumber(s string) bool {
	if _, err := strconv.ParseInt(s, 10, 64); err == nil && s[0] != '+' && (len(s) < 2 || s[0] != '0' && s[:2] != "-0") {
		return true // the common case, at once
	}
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		i = digitsFrom(s, i)
	default:
		return false
	}
	if i < len(s) && s[i] == '.' {
		if j := digitsFrom(s, i+1); j > i+1 {
			i = j
		} else {
			return false
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if j := digitsFrom(s, i); j > i {
			i = j
		} else {
			return false
		}
	}
	return i == len(s)
}

func digitsFrom(s string, i int) int {
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return i
}
