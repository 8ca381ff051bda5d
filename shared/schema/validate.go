package schema

import (
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
)

// Validate checks a whole tenant schema and returns every problem, with paths such as
// "models[1].fields[0].name", in a deterministic order: model by model, in list order.
// It takes time linear in the size of the schema.
func Validate(models []Model) problem.List {
	var list problem.List
	if tooMany(&list, "models", len(models), MaxModels) {
		return list
	}
	names := make(map[string]bool, len(models))
	for _, m := range models {
		names[m.Name] = true
	}
	exists := func(name string) bool { return names[name] }
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
// "indexes[0][1]"), in a deterministic order. models tells which model names exist in
// the tenant, for relations; it may be nil when the model has none. A model may relate
// to itself. It takes time linear in the size of the model.
func ValidateModel(m Model, models func(name string) bool) problem.List {
	var list problem.List
	list.Append("name", CheckName(m.Name))
	checkText(&list, "label", m.Label, MaxLabelBytes)
	checkText(&list, "description", m.Description, MaxDescriptionBytes)
	if tooMany(&list, "fields", len(m.Fields), MaxFields) {
		return list // unique_together and indexes name fields: they wait too
	}
	exists := relatable(m, models)
	byName := make(map[string]*Field, len(m.Fields))
	ids := make(map[string]bool, len(m.Fields))
	for i := range m.Fields {
		f := &m.Fields[i]
		prefix := problem.Index("fields", i)
		list.Append(prefix, validateField(*f, exists))
		if _, dup := byName[f.Name]; !dup {
			byName[f.Name] = f
		} else if f.Name != "" {
			list.Add(prefix+".name", problem.Duplicate, map[string]any{"name": f.Name})
		}
		if f.ID != "" && ids[f.ID] {
			list.Add(prefix+".id", problem.Duplicate, map[string]any{"name": f.ID})
		}
		ids[f.ID] = true
	}
	list = append(list, validateUniqueTogether(m, byName)...)
	list = append(list, validateIndexes(m, byName)...)
	return list
}

// ValidateField checks one field on its own and returns its problems with paths
// relative to it ("options.pattern"); models tells which model names its relation may
// name (nil: none). What involves the other fields of its model (a name used twice,
// unique_together, indexes) is left to ValidateModel.
func ValidateField(f Field, models func(name string) bool) problem.List {
	if models == nil {
		models = func(string) bool { return false }
	}
	return validateField(f, models)
}

// CheckRelations reports every relation of m whose related_model is not a model
// (unknown_model), with paths relative to m ("fields[2].related_model"); models tells
// which model names exist, and m may relate to itself. It is the part of ValidateModel
// that depends on the other models: a model that passed ValidateModel once needs only
// this when the models around it change.
func CheckRelations(m Model, models func(name string) bool) problem.List {
	var list problem.List
	exists := relatable(m, models)
	for i, f := range m.Fields {
		t, ok := fieldtype.Lookup(f.Type)
		if !ok || !t.Describe().Relation {
			continue
		}
		if p := checkRelatedModel(f, true, exists); p != nil {
			list.Append(problem.Index("fields", i), problem.List{*p})
		}
	}
	return list
}

// relatable tells which names a relation of m may name: m's own and those models knows.
func relatable(m Model, models func(name string) bool) func(string) bool {
	return func(name string) bool {
		return name == m.Name || models != nil && models(name)
	}
}

// indexable tells whether f can be unique or indexed; a field of an unknown type passes
// (its type is reported instead).
func indexable(f *Field) bool {
	t, ok := fieldtype.Lookup(f.Type)
	return !ok || t.Describe().Unique
}

// validateUniqueTogether checks that every group names two to MaxIndexColumns distinct
// fields of the model that can be unique, and that no group appears twice. byName is
// the model's fields by name.
func validateUniqueTogether(m Model, byName map[string]*Field) problem.List {
	var list problem.List
	if tooMany(&list, "unique_together", len(m.UniqueTogether), MaxUniqueTogether) {
		return list
	}
	groups := make(map[string]bool, len(m.UniqueTogether))
	for i, g := range m.UniqueTogether {
		path := problem.Index("unique_together", i)
		if len(g) < 2 {
			list.Add(path, problem.MinItems, map[string]any{"min": 2})
		}
		if tooMany(&list, path, len(g), MaxIndexColumns) {
			continue
		}
		seen := make(map[string]bool, len(g))
		for j, name := range g {
			p := path + problem.Index("", j)
			f, ok := byName[name]
			switch {
			case !ok:
				list.Add(p, problem.UnknownField, map[string]any{"name": name})
			case seen[name]:
				list.Add(p, problem.Duplicate, map[string]any{"name": name})
			case !indexable(f):
				list.Add(p, problem.NotAllowed, map[string]any{"attribute": "unique_together"})
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
// byName is the model's fields by name.
//
// Unlike unique_together, an index may name the system columns id, created_at and
// updated_at: lists sort by them (every list sort ends with id, and -created_at is a
// common sort), so the index that serves a list often needs them; a unique_together
// with one of them would add nothing, id being unique already.
func validateIndexes(m Model, byName map[string]*Field) problem.List {
	var list problem.List
	if tooMany(&list, "indexes", len(m.Indexes), MaxIndexes) {
		return list
	}
	seen := make(map[string]bool, len(m.Indexes))
	for i, ix := range m.Indexes {
		path := problem.Index("indexes", i)
		if len(ix) == 0 {
			list.Add(path, problem.Empty, nil)
		}
		if tooMany(&list, path, len(ix), MaxIndexColumns) {
			continue
		}
		cols := make(map[string]bool, len(ix))
		for j, col := range ix {
			p := path + problem.Index("", j)
			name, _ := IndexColumn(col)
			f, isField := byName[name]
			switch {
			case name == "":
				list.Add(p, problem.Required, nil)
			case !isField && !IsSystemColumn(name):
				list.Add(p, problem.UnknownField, map[string]any{"name": name})
			case cols[name]:
				list.Add(p, problem.Duplicate, map[string]any{"name": name})
			case isField && !indexable(f):
				list.Add(p, problem.NotAllowed, map[string]any{"attribute": "indexes"})
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
