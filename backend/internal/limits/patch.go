package limits

import (
	"encoding/json"
	"sort"
	"strconv"

	"forma.dev/shared/problem"
)

// Patch is a change of a tenant's own limits: the values to set, and the limits put back
// to their defaults (null in the body).
type Patch struct {
	Set   Set
	Reset [count]bool
}

// Apply returns own changed by p.
func (p Patch) Apply(own Set) Set {
	for i := range own {
		if p.Reset[i] {
			own[i] = 0
		}
		if p.Set[i] != 0 {
			own[i] = p.Set[i]
		}
	}
	return own
}

// ParsePatch reads the "limits" member of a PATCH body, decoded with json.Number
// numbers: an object of limits by JSON name, each a whole number from 1 to the limit's
// maximum, or null. Every problem is reported at once, at path+"."+name.
func ParsePatch(path string, v any) (Patch, problem.List) {
	var p Patch
	var probs problem.List
	obj, ok := v.(map[string]any)
	if !ok {
		probs.Add(path, problem.InvalidType, map[string]any{"expected": "an object"})
		return p, probs
	}
	for key, raw := range obj {
		at := path + "." + key
		n, ok := Lookup(key)
		if !ok {
			probs.Add(at, problem.UnknownField, nil)
			continue
		}
		if raw == nil {
			p.Reset[n] = true
			continue
		}
		num, ok := raw.(json.Number)
		if !ok {
			probs.Add(at, problem.InvalidType, map[string]any{"expected": "a whole number"})
			continue
		}
		val, err := strconv.ParseInt(num.String(), 10, 64)
		switch {
		case err != nil && isWhole(num) && num.String()[0] == '-':
			probs.Add(at, problem.Min, map[string]any{"min": 1})
		case err != nil && isWhole(num):
			probs.Add(at, problem.Max, map[string]any{"max": n.Max()})
		case err != nil:
			probs.Add(at, problem.InvalidType, map[string]any{"expected": "a whole number"})
		case val < 1:
			probs.Add(at, problem.Min, map[string]any{"min": 1})
		case val > n.Max():
			probs.Add(at, problem.Max, map[string]any{"max": n.Max()})
		default:
			p.Set[n] = val
		}
	}
	sort.SliceStable(probs, func(i, j int) bool { return probs[i].Path < probs[j].Path })
	return p, probs
}

// isWhole reports whether num is written as an integer (too large for int64, or
// negative beyond it), as opposed to a fraction or an exponent.
func isWhole(num json.Number) bool {
	s := num.String()
	if s != "" && s[0] == '-' {
		s = s[1:]
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}
