package aggregate

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
)

//go:generate go run zones_gen.go

// KnownZone tells whether name is an IANA time zone, e.g. "Europe/Warsaw" or "UTC": one
// of the zone database Go ships (zones.go), which the test server's Postgres knows too
// (records tests that; the server answers a zone its Postgres refuses as one this
// refuses). A list rather than time.LoadLocation: the designer's wasm has no zone files
// (and reading them from JavaScript blocks), and the list costs 10 kB, not the 370 kB
// of time/tzdata. "Local" is not one.
func KnownZone(name string) bool {
	_, found := slices.BinarySearch(zoneNames, name)
	return found
}

// Zones returns every name KnownZone knows, sorted.
func Zones() []string { return slices.Clone(zoneNames) }

// Ref is a field that a parameter names.
type Ref struct {
	Param string
	Field string
}

// FieldsNamed lists the fields that group_by and measures name, by their syntax alone
// (having and sort name groups and measures, which name these): a role's rules refuse
// the fields it cannot read before Parse would tell their type.
func FieldsNamed(q url.Values) []Ref {
	var out []Ref
	for _, item := range splitList(q["group_by"]) {
		name, _, _ := strings.Cut(item, "__")
		out = append(out, Ref{"group_by", name})
	}
	for _, item := range splitList(q["measures"]) {
		if _, name, ok := strings.Cut(item, ":"); ok {
			out = append(out, Ref{"measures", name})
		}
	}
	return out
}

// splitList reads a comma-separated list parameter, given once or more.
func splitList(vals []string) []string {
	var out []string
	for _, v := range vals {
		for _, part := range strings.Split(v, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

// first is the first value of a parameter given, empty or not.
func first(q url.Values, k string) (string, bool) {
	if vs := q[k]; len(vs) > 0 {
		return vs[0], true
	}
	return "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// maxNumber bounds the digits of a having value: more than a numeric sum of bigints
// (about 40) needs, far less than Postgres' numeric takes.
const maxNumber = 100

// wholeNumber: an optional sign and digits.
func wholeNumber(s string) bool {
	if len(s) > maxNumber {
		return false
	}
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	return allDigits(s)
}

// plainNumber: an optional sign, digits and an optional fraction (no exponent, no
// Infinity or NaN), as Postgres' numeric and float8 both read it.
func plainNumber(s string) bool {
	if len(s) > maxNumber || s == "" {
		return false
	}
	if s[0] == '-' || s[0] == '+' {
		s = s[1:]
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	switch {
	case !hasPoint:
		return allDigits(intPart)
	case intPart == "" && frac == "":
		return false
	}
	return (intPart == "" || allDigits(intPart)) && (frac == "" || allDigits(frac))
}

func jsonNumber(s string) json.Number { return json.Number(strings.TrimPrefix(s, "+")) }

// clip bounds a name echoed in a problem.
func clip(s string) string {
	if len(s) > 64 {
		s = s[:64] + "…"
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}
