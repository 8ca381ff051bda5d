package record

import (
	"slices"
	"strings"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Validate checks a record decoded from JSON (numbers as float64 or json.Number) for a
// write of the given mode, and returns its normalised values keyed by field name:
// int64 for integer and relation, float64, decimal strings, bool, canonical date, time,
// datetime and uuid strings, json as decoded, nil for null. Automatic fields are never in
// the output: the backend sets them. On any problem the map is nil and the problems,
// sorted by path (the field name), are all returned at once.
func (v *Validator) Validate(in map[string]any, mode Mode) (map[string]any, problem.List) {
	size := len(in)
	if mode == Replace {
		size = len(v.fields)
	}
	out := make(map[string]any, size)
	var list problem.List
	matched := 0
	for i := range v.fields {
		f := &v.fields[i]
		val, present := in[f.Name]
		if present {
			matched++
		}
		switch {
		case f.AutoNow || f.AutoNowAdd:
			if present {
				list.Add(f.Name, problem.ReadOnly, nil)
			}
		case !present:
			switch {
			case mode == Patch:
			case f.HasDefault:
				if mode == Replace {
					out[f.Name] = f.Default
				} // on create the column default applies
			case f.Required:
				list.Add(f.Name, problem.Required, nil)
			case mode == Replace:
				out[f.Name] = nil
			}
		case val == nil:
			if f.Required {
				list.Add(f.Name, problem.Required, nil)
			} else {
				out[f.Name] = nil
			}
		default:
			n, p := f.normalize(val)
			if p != nil {
				p.Path = f.Name
				list = append(list, *p)
			} else {
				out[f.Name] = n
			}
		}
	}
	if matched < len(in) {
		list = v.unknown(in, list)
	}
	if len(list) > 0 {
		if len(list) > 1 {
			slices.SortStableFunc(list, func(a, b problem.Problem) int { return strings.Compare(a.Path, b.Path) })
		}
		return nil, list
	}
	return out, nil
}

// normalize checks one non-null value against the field's codec and choices.
func (f *Field) normalize(val any) (any, *problem.Problem) {
	n, p := f.Codec.Normalize(val)
	if p != nil || f.choiceSet == nil {
		return n, p
	}
	if isScalar(n) {
		if _, ok := f.choiceSet[n]; ok {
			return n, nil
		}
	}
	q := problem.New("", problem.Choice, map[string]any{"choices": f.Choices})
	return nil, &q
}

// unknown reports the keys of in that are not fields: system columns are read-only,
// anything else is an unknown field.
func (v *Validator) unknown(in map[string]any, list problem.List) problem.List {
	for k := range in {
		if _, ok := v.byName[k]; ok {
			continue
		}
		if slices.Contains(schema.SystemColumns, k) {
			list.Add(k, problem.ReadOnly, nil)
		} else {
			list.Add(k, problem.UnknownField, map[string]any{"name": k})
		}
	}
	return list
}
