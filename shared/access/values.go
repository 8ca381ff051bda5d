package access

import (
	"strings"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Lookups that take a fragment of a string rather than a whole value, and the one that
// takes a bool.
const (
	lookupIn     = "in"
	lookupIsNull = "isnull"
)

func isFragment(lookup string) bool {
	return lookup == "contains" || lookup == "icontains" || lookup == "startswith"
}

// parseValue reads one value of a filter term or preset as the API writes it: a string
// "$auth.<claim path>" is a variable (its path returned in claim), "$$x" is the literal
// "$x", any other string starting with "$" is unknown_variable. Problems have an empty
// path.
func parseValue(raw any) (lit any, claim string, p *problem.Problem) {
	s, ok := raw.(string)
	if !ok || !strings.HasPrefix(s, "$") {
		return raw, "", nil
	}
	if len(s) > MaxValueBytes {
		return nil, "", fail(problem.TooLong, map[string]any{"max": MaxValueBytes})
	}
	if rest, ok := strings.CutPrefix(s, "$$"); ok {
		return "$" + rest, "", nil
	}
	if path, ok := strings.CutPrefix(s, VariablePrefix); ok {
		return nil, path, CheckClaimPath(path)
	}
	return nil, "", fail(problem.UnknownVariable, map[string]any{"name": s})
}

// writeValue is parseValue's inverse: a variable as "$auth.<path>", a literal string
// starting with "$" with one more "$" in front.
func writeValue(lit any, claim string) any {
	if claim != "" {
		return VariablePrefix + claim
	}
	if s, ok := lit.(string); ok && strings.HasPrefix(s, "$") {
		return "$" + s
	}
	return lit
}

// CheckClaimPath reports what is wrong with the claim path of a variable ("org.id" of
// "$auth.org.id"): names of letters, digits and underscores, not starting with a digit,
// separated by dots; at most MaxClaimPathNames names and MaxClaimPathBytes bytes. The
// problem's path is empty.
func CheckClaimPath(path string) *problem.Problem {
	if len(path) > MaxClaimPathBytes {
		return fail(problem.TooLong, map[string]any{"max": MaxClaimPathBytes})
	}
	names := strings.Split(path, ".")
	if len(names) > MaxClaimPathNames {
		return fail(problem.InvalidValue, map[string]any{"reason": "a claim path has at most 8 names"})
	}
	for _, n := range names {
		if !identifier(n) {
			return fail(problem.InvalidFormat, map[string]any{"format": "claim path (names of letters, digits and _, separated by dots)"})
		}
	}
	return nil
}

// identifier matches [A-Za-z_][A-Za-z0-9_]* without a regular expression.
func identifier(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c == '_':
		case i > 0 && c >= '0' && c <= '9':
		default:
			return false
		}
	}
	return s != ""
}

// Claim reads the claim at path ("org.id": the member id of the object org) from a
// caller's variables; ok is false when it is missing.
func Claim(vars map[string]any, path string) (v any, ok bool) {
	var cur any = vars
	for name := range strings.SplitSeq(path, ".") {
		obj, isObj := cur.(map[string]any)
		if !isObj {
			return nil, false
		}
		if cur, ok = obj[name]; !ok {
			return nil, false
		}
	}
	return cur, true
}

// normalize checks a literal value of a filter term with lookup (not isnull) or of a
// preset (lookup "") against c and returns it normalised. Problems have an empty path.
func normalize(c *column, lookup string, lit any) (any, *problem.Problem) {
	if lit != nil && valueBytes(lit) > MaxValueBytes {
		return nil, fail(problem.TooLong, map[string]any{"max": MaxValueBytes})
	}
	return NormalizeValue(c.codec, lookup, lit)
}

// NormalizeValue turns a value of a filter term with lookup (not isnull; "" for equality
// or a preset), a literal or a caller's claim, into what the field binds: for contains,
// icontains and startswith a string, kept as it is (a fragment, not a whole value); else
// the value as codec normalises it (as it is without a codec, a field whose options are
// invalid). null is refused: it matches no row. Problems have an empty path.
func NormalizeValue(codec fieldtype.Codec, lookup string, v any) (any, *problem.Problem) {
	if v == nil {
		return nil, fail(problem.InvalidValue, map[string]any{"reason": "null matches no row: use __isnull"})
	}
	if isFragment(lookup) {
		s, ok := v.(string)
		if !ok {
			return nil, fail(problem.InvalidType, map[string]any{"expected": "a string"})
		}
		return s, fieldtype.CheckText(s)
	}
	if codec == nil {
		return v, nil
	}
	return codec.Normalize(v)
}

// valueBytes is the size of a value: a string's length, any other value's length as
// canonical JSON (as schema bounds a default).
func valueBytes(v any) int {
	if s, ok := v.(string); ok {
		return len(s)
	}
	return len(schema.Canonical(v))
}

func fail(code string, params map[string]any) *problem.Problem {
	p := problem.New("", code, params)
	return &p
}
