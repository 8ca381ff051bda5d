package access

import "forma.dev/shared/schema"

// named is Stored.Named.
func (s *Stored) named(models []schema.Model) Role {
	r := Role{Description: s.Description, Permissions: make(map[string]map[Action]*Rule, len(s.Permissions))}
	ts := newTables(models)
	for m, rules := range s.Permissions {
		t, ok := ts.get(m)
		if !ok {
			continue
		}
		out := make(map[Action]*Rule, len(rules))
		for a, sr := range rules {
			out[a] = namedRule(t, sr)
		}
		r.Permissions[m] = out
	}
	return r
}

func namedRule(t *table, sr *StoredRule) *Rule {
	r := &Rule{}
	if sr == nil {
		return r
	}
	for _, cond := range sr.Filter {
		col, ok := t.byKey[cond.Field]
		if !ok {
			continue
		}
		if r.Filter == nil {
			r.Filter = make(map[string]any, len(sr.Filter))
		}
		key := col.name + lookupSuffix(cond.Lookup)
		switch {
		case cond.Lookup == lookupIn:
			values := make([]any, len(cond.Values))
			for i, v := range cond.Values {
				claim, _ := VariableOf(v)
				values[i] = writeValue(v, claim)
			}
			r.Filter[key] = values
		default:
			r.Filter[key] = writeValue(cond.Value, cond.Var)
		}
	}
	if sr.Fields != nil {
		f := &Fields{All: sr.Fields.All}
		if !f.All {
			f.Names = make([]string, 0, len(sr.Fields.Names))
			for _, key := range sr.Fields.Names {
				if col, ok := t.byKey[key]; ok {
					f.Names = append(f.Names, col.name)
				}
			}
		}
		r.Fields = f
	}
	for _, pr := range sr.Presets {
		col, ok := t.byKey[pr.Field]
		if !ok {
			continue
		}
		if r.Presets == nil {
			r.Presets = make(map[string]any, len(sr.Presets))
		}
		r.Presets[col.name] = writeValue(pr.Value, pr.Var)
	}
	return r
}
