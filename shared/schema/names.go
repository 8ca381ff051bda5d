package schema

import (
	"slices"
	"strings"

	"forma.dev/shared/problem"
)

// CheckName reports what is wrong with a model or field name: required, invalid_name,
// too_long or reserved_word. Paths are empty: the caller places them.
func CheckName(name string) problem.List {
	var list problem.List
	if name == "" {
		list.Add("", problem.Required, nil)
		return list
	}
	valid := validName(name)
	if !valid {
		list.Add("", problem.InvalidName, nil)
	}
	if len(name) > MaxNameBytes {
		list.Add("", problem.TooLong, map[string]any{"max": MaxNameBytes})
	}
	if valid && IsReserved(name) {
		list.Add("", problem.ReservedWord, nil)
	}
	return list
}

// IsSystemColumn tells whether name is one of the columns every table has.
func IsSystemColumn(name string) bool {
	return slices.Contains(SystemColumns, name)
}

// validName matches ^[a-z][a-z0-9_]*$ without a regular expression.
func validName(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z':
		case i > 0 && (c >= '0' && c <= '9' || c == '_'):
		default:
			return false
		}
	}
	return name != ""
}

// queryParams are the list parameters of the data API; a field so named could not be
// filtered with ?name=value.
var queryParams = []string{"cursor", "expand", "fields", "limit", "sort"}

// queryReserved tells why a field name would clash with the data API's query syntax,
// or "" when it does not: "__" separates a field from its lookup (value__gte).
func queryReserved(name string) string {
	switch {
	case strings.Contains(name, "__"):
		return "__ separates a field from its lookup in filters (value__gte)"
	case slices.Contains(queryParams, name):
		return name + " is a parameter of record lists"
	}
	return ""
}
