package fieldtype

import (
	"encoding/json"
	"math"
	"regexp"

	"forma.dev/shared/problem"
)

// MaxOptionBytes is the longest string option, e.g. a text field's pattern, in bytes.
const MaxOptionBytes = 1024

// ValidateOptions checks options against the type's specs, then its cross-option rules.
// Paths are relative to the options object ("max_length").
func ValidateOptions(t Type, o Options) problem.List {
	var list problem.List
	specs := t.Describe().Options
	known := make(map[string]OptionSpec, len(specs))
	for _, s := range specs {
		known[s.Name] = s
	}
	for name, v := range o {
		spec, ok := known[name]
		if !ok {
			list.Add(name, problem.UnknownOption, map[string]any{"option": name})
			continue
		}
		if v == nil {
			continue // null means "not set"
		}
		if p := checkOption(spec, v); p != nil {
			p.Path = name
			list = append(list, *p)
		}
	}
	sortProblems(list)
	if len(list) == 0 {
		list = t.CheckOptions(o)
	}
	return list
}

func checkOption(s OptionSpec, v any) *problem.Problem {
	switch s.Kind {
	case KindBoolean:
		if _, ok := v.(bool); !ok {
			return fail(problem.InvalidType, map[string]any{"expected": "a boolean"})
		}
	case KindString, KindRegexp, KindEnum:
		str, ok := v.(string)
		if !ok {
			return fail(problem.InvalidType, map[string]any{"expected": "a string"})
		}
		if len(str) > MaxOptionBytes {
			return fail(problem.TooLong, map[string]any{"max": MaxOptionBytes})
		}
		if p := CheckText(str); p != nil {
			return p
		}
		if s.Kind == KindRegexp {
			if _, err := regexp.Compile(str); err != nil {
				return fail(problem.InvalidFormat, map[string]any{"format": "regular expression"})
			}
		}
		if s.Kind == KindEnum && !contains(s.Enum, str) {
			return fail(problem.Choice, map[string]any{"choices": s.Enum})
		}
	case KindInteger, KindNumber:
		f, ok := number(v)
		if !ok {
			return fail(problem.InvalidType, map[string]any{"expected": "a number"})
		}
		if s.Kind == KindInteger && (f != math.Trunc(f) || math.IsInf(f, 0)) {
			return fail(problem.InvalidType, map[string]any{"expected": "a whole number"})
		}
		if s.Min != nil && f < *s.Min {
			return fail(problem.Min, map[string]any{"min": *s.Min})
		}
		if s.Max != nil && f > *s.Max {
			return fail(problem.Max, map[string]any{"max": *s.Max})
		}
	}
	return nil
}

// Int returns an integer option, or def when it is absent or null.
func (o Options) Int(name string, def int64) int64 {
	if f, ok := number(o[name]); ok {
		return int64(f)
	}
	return def
}

// Float returns a numeric option and whether it is set.
func (o Options) Float(name string) (float64, bool) {
	return number(o[name])
}

// Bool returns a boolean option, false when absent.
func (o Options) Bool(name string) bool {
	b, _ := o[name].(bool)
	return b
}

// String returns a string option, or def when it is absent.
func (o Options) String(name, def string) string {
	if s, ok := o[name].(string); ok {
		return s
	}
	return def
}

// number reads a JSON number decoded either as float64 or json.Number.
func number(v any) (float64, bool) {
	switch n := v.(type) {
	case float64:
		return n, true
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	}
	return 0, false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
