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
// model ("name", "fields[1].options.max_length", "unique_together[0][1]"), in a
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
