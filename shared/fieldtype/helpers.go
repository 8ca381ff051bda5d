package fieldtype

import (
	"forma.dev/shared/problem"
)

// Auto is implemented by types whose values Forma can set by itself (datetime).
type Auto interface {
	// Auto tells whether Forma sets the field on every write (now) or on create (nowAdd).
	Auto(o Options) (now, nowAdd bool)
}

// IsAuto tells whether a field of type typ with options o is set by Forma on every
// write (now: auto_now) or only on create (nowAdd: auto_now_add). Apps cannot write
// such a field. Unknown types and types without automatic values return false, false.
func IsAuto(typ string, o Options) (now, nowAdd bool) {
	t, ok := Lookup(typ)
	if !ok {
		return false, false
	}
	if a, ok := t.(Auto); ok {
		return a.Auto(o)
	}
	return false, false
}

// CompileOptions looks a type up and compiles its codec; it returns false for an unknown
// type. The options must have passed ValidateOptions.
func CompileOptions(typ string, o Options) (Codec, bool) {
	t, ok := Lookup(typ)
	if !ok {
		return nil, false
	}
	return t.Compile(o), true
}

// CheckValue validates and normalises one value (a choice or a default) for a field of
// type typ with valid options o. A nil value passes as nil: null means "not set".
// An unknown type is reported as unknown_type.
func CheckValue(typ string, o Options, v any) (any, *problem.Problem) {
	c, ok := CompileOptions(typ, o)
	if !ok {
		return nil, fail(problem.UnknownType, map[string]any{"type": typ})
	}
	if v == nil {
		return nil, nil
	}
	return c.Normalize(v)
}

// NormalizeChoices normalises every choice with c; problems have paths "[i]", so that
// problem.List.Append("fields[2].choices", list) places them. Null choices are invalid
// (required) and so are choices equal once normalised (duplicate, e.g. 1 and 1.0).
// It takes time linear in the number of choices.
func NormalizeChoices(c Codec, choices []any) ([]any, problem.List) {
	var list problem.List
	out := make([]any, len(choices))
	seen := make(map[any]bool, len(choices))
	for i, v := range choices {
		if v == nil {
			list.Add(problem.Index("", i), problem.Required, nil)
			continue
		}
		n, p := c.Normalize(v)
		if p != nil {
			p.Path = problem.Index("", i)
			list = append(list, *p)
			continue
		}
		if scalar(n) {
			if seen[n] {
				list.Add(problem.Index("", i), problem.Duplicate, map[string]any{"name": n})
			}
			seen[n] = true
		}
		out[i] = n
	}
	return out, list
}

// Equal tells whether two normalised values are the same; only scalars (string, int64,
// float64, bool) compare, so json values are never equal.
func Equal(a, b any) bool {
	return scalar(a) && a == b
}

// scalar tells whether a normalised value compares with Equal (and so can be a map key).
func scalar(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return true
	}
	return false
}
