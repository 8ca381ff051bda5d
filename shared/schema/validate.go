package schema

import (
	"forma.dev/shared/problem"
)

// Validate checks a whole tenant schema and returns every problem, with paths such as
// "models[1].fields[0].name", in a deterministic order: model by model, in list order.
func Validate(models []Model) problem.List {
	names := make(map[string]bool, len(models))
	for _, m := range models {
		names[m.Name] = true
	}
	exists := func(name string) bool { return names[name] }
	var list problem.List
	seen := make(map[string]bool, len(models))
	for i, m := range models {
		prefix := problem.Index("models", i)
		list.Append(prefix, ValidateModel(m, exists))
		if m.Name != "" && seen[m.Name] {
			list.Add(prefix+".name", problem.Duplicate, map[string]any{"name": m.Name})
		}
		seen[m.Name] = true
	}
	return list
}

// ValidateModel checks one model and returns every problem, with paths relative to the
// model ("name", "fields[1].options.max_length", "unique_together[0][1]",
// "indexes[0][1]"), in a
// deterministic order. models tells which model names exist in the tenant, for
// relations; it may be nil when the model has none. A model may relate to itself.
func ValidateModel(m Model, models func(name string) bool) problem.List {
	var list problem.List
	list.Append("name", CheckName(m.Name))
	exists := func(name string) bool {
		return name == m.Name || models != nil && models(name)
	}
	names := make(map[string]bool, len(m.Fields))
	ids := make(map[string]bool, len(m.Fields))
	for i, f := range m.Fields {
		prefix := problem.Index("fields", i)
		list.Append(prefix, validateField(f, exists))
		if f.Name != "" && names[f.Name] {
			list.Add(prefix+".name", problem.Duplicate, map[string]any{"name": f.Name})
		}
		if f.ID != "" && ids[f.ID] {
			list.Add(prefix+".id", problem.Duplicate, map[string]any{"name": f.ID})
		}
		names[f.Name], ids[f.ID] = true, true
	}
	list = append(list, validateUniqueTogether(m)...)
	list = append(list, validateIndexes(m)...)
	return list
}

// validateUniqueTogether checks that every group names at least two distinct fields
// of the model that can be unique, and that no group appears twice.
func validateUniqueTogether(m Model) problem.List {
	var list problem.List
	groups := make(map[string]bool, len(m.UniqueTogether))
	for i, g := range m.UniqueTogether {
		path := problem.Index("unique_together", i)
		if len(g) < 2 {
			list.Add(path, problem.MinItems, map[string]any{"min": 2})
		}
		seen := make(map[string]bool, len(g))
		for j, name := range g {
			p := path + problem.Index("", j)
			f, ok := m.Field(name)
			switch {
			case !ok:
				list.Add(p, problem.UnknownField, map[string]any{"name": name})
			case seen[name]:
				list.Add(p, problem.Duplicate, map[string]any{"name": name})
			default:
				if r := Resolve(*f); r.Type != nil && !r.Desc.Unique {
					list.Add(p, problem.NotAllowed, map[string]any{"attribute": "unique_together"})
				}
			}
			seen[name] = true
		}
		key := Canonical(sortedCopy(g))
		if len(g) >= 2 && groups[key] {
			list.Add(path, problem.Duplicate, map[string]any{"name": g})
		}
		groups[key] = true
	}
	return list
}

// validateIndexes checks that every index lists one to MaxIndexColumns distinct columns,
// each a field of the model that can be indexed or a system column, with an optional
// "-" in front, and that no index appears twice (the same columns, order and directions).
//
// Unlike unique_together, an index may name the system columns id, created_at and
// updated_at: lists sort by them (every list sort ends with id, and -created_at is a
// common sort), so the index that serves a list often needs them; a unique_together
// with one of them would add nothing, id being unique already.
func validateIndexes(m Model) problem.List {
	var list problem.List
	seen := make(map[string]bool, len(m.Indexes))
	for i, ix := range m.Indexes {
		path := problem.Index("indexes", i)
		switch {
		case len(ix) == 0:
			list.Add(path, problem.Empty, nil)
		case len(ix) > MaxIndexColumns:
			list.Add(path, problem.MaxItems, map[string]any{"max": MaxIndexColumns})
		}
		cols := make(map[string]bool, len(ix))
		for j, col := range ix {
			p := path + problem.Index("", j)
			name, _ := IndexColumn(col)
			f, isField := m.Field(name)
			switch {
			case name == "":
				list.Add(p, problem.Required, nil)
			case !isField && !IsSystemColumn(name):
				list.Add(p, problem.UnknownField, map[string]any{"name": name})
			case cols[name]:
				list.Add(p, problem.Duplicate, map[string]any{"name": name})
			case isField:
				if r := Resolve(*f); r.Type != nil && !r.Desc.Unique {
					list.Add(p, problem.NotAllowed, map[string]any{"attribute": "indexes"})
				}
			}
			cols[name] = true
		}
		key := Canonical(ix)
		if len(ix) > 0 && seen[key] {
			list.Add(path, problem.Duplicate, map[string]any{"name": ix})
		}
		seen[key] = true
	}
	return list
}
