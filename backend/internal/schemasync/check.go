package schemasync

import (
	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/meta"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Validation runs in two parts. What a request sends is validated before the tenant's
// lock is taken (checkSchema, checkModel, checkField), so that a large or bad definition never holds
// the lock, nor a connection in a transaction. Inside the lock, checkChange checks only
// what depends on the stored models. Stored models were valid when they were stored, so
// they are not validated again: an unchanged model only has its relations checked, since
// the model a relation names may be the one that goes.

// invalid is the answer to a definition with problems.
func invalid(problems problem.List) error {
	return apperr.Validation("the definition is not valid", problems)
}

// checkSchema validates a whole snapshot, before the lock: paths "models[i]..." follow
// the order in which the snapshot lists the models.
func checkSchema(models []schema.Model) problem.List {
	list := schema.Validate(models)
	if len(models) > schema.MaxModels {
		return list
	}
	for i, m := range models {
		list.Append(problem.Index("models", i), meta.CheckIDs(m))
	}
	return list
}

// checkModel validates one model, before the lock, with paths relative to it; whether
// its relations name models that exist is left to checkChange.
func checkModel(m schema.Model) problem.List {
	list := schema.ValidateModel(m, func(string) bool { return true })
	return append(list, meta.CheckIDs(m)...)
}

// checkField validates a field to add, before the lock, with paths relative to it;
// whether it fits its model is left to checkChange.
func checkField(f schema.Field) problem.List {
	list := schema.ValidateField(f, func(string) bool { return true })
	if ids := meta.CheckIDs(schema.Model{Fields: []schema.Field{f}}); len(ids) > 0 {
		list.Add("id", ids[0].Code, ids[0].Params)
	}
	return list
}

// checkChange validates, inside the lock, the models a change leads to: the number of
// models, their names, every relation, and the models that changed other than those in
// checked, which were validated before the lock. Paths are "models[i]...".
func checkChange(cur, next []schema.Model, checked map[string]bool) problem.List {
	var list problem.List
	if len(next) > schema.MaxModels {
		list.Add("models", problem.MaxItems, map[string]any{"max": schema.MaxModels})
		return list
	}
	names := make(map[string]bool, len(next))
	for _, m := range next {
		names[m.Name] = true
	}
	exists := func(name string) bool { return names[name] }
	stored := make(map[string]*schema.Model, len(cur))
	for i := range cur {
		stored[cur[i].Name] = &cur[i]
	}
	seen := make(map[string]bool, len(next))
	for i, m := range next {
		prefix := problem.Index("models", i)
		if old := stored[m.Name]; checked[m.Name] || old != nil && sameJSON(old, &m) {
			list.Append(prefix, schema.CheckRelations(m, exists))
		} else {
			list.Append(prefix, schema.ValidateModel(m, exists))
			list.Append(prefix, meta.CheckIDs(m))
		}
		if m.Name != "" && seen[m.Name] {
			list.Add(prefix+".name", problem.Duplicate, map[string]any{"name": m.Name})
		}
		seen[m.Name] = true
	}
	return list
}
