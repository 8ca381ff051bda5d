package access

import (
	"slices"
	"strings"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// check is Stored.Check: each rule is held against the models as Compile would hold it,
// and whatever it would refuse is rule_uses_field.
func (s *Stored) check(models []schema.Model) problem.List {
	var list problem.List
	ts := newTables(models)
	for _, m := range sortedKeys(s.Permissions) {
		path := "permissions." + m
		t, ok := ts.get(m)
		if !ok {
			list.Add(path, problem.RuleUsesField, map[string]any{"name": m, "model": m})
			continue
		}
		rules := s.Permissions[m]
		for _, a := range sortedKeys(rules) {
			r := rules[a]
			if r == nil {
				continue
			}
			at := path + "." + string(a)
			uses := func(sub, key string) {
				name := s.fieldName(m, t, key)
				list.Add(at+strings.ReplaceAll(sub, "\x00", name), problem.RuleUsesField,
					map[string]any{"name": m + "." + name, "model": m, "field": name})
			}
			for _, cond := range r.Filter {
				col, ok := t.byKey[cond.Field]
				if !ok || !col.allows(cond.Lookup) || !conditionHolds(col, cond) {
					uses(".filter.\x00"+lookupSuffix(cond.Lookup), cond.Field)
				}
			}
			if r.Fields != nil {
				for i, key := range r.Fields.Names {
					if col, ok := t.byKey[key]; !ok || writable(col, a) != nil {
						uses(problem.Index(".fields", i), key)
					}
				}
			}
			for _, pr := range r.Presets {
				col, ok := t.byKey[pr.Field]
				if !ok || checkPreset(col, &Preset{Field: pr.Field, Value: pr.Value, Var: pr.Var}) != nil {
					uses(".presets.\x00", pr.Field)
				}
			}
		}
	}
	return list
}

// conditionHolds tells whether the values of cond still normalise for col.
func conditionHolds(col *column, cond Condition) bool {
	switch {
	case cond.Lookup == lookupIsNull:
		_, ok := cond.Value.(bool)
		return ok
	case cond.Lookup == lookupIn:
		return !slices.ContainsFunc(cond.Values, func(v any) bool {
			if _, ok := VariableOf(v); ok {
				return false
			}
			_, p := normalize(col, cond.Lookup, v)
			return p != nil
		})
	case cond.Var != "":
		return true
	}
	_, p := normalize(col, cond.Lookup, cond.Value)
	return p == nil
}

// lookupSuffix is how a filter key ends for lookup: "__in", "" for equality.
func lookupSuffix(lookup string) string {
	if lookup == "" {
		return ""
	}
	return "__" + lookup
}

// fieldName is the name of the field key of model m: its name in t, else the one it had
// when the role was compiled, else the key itself.
func (s *Stored) fieldName(m string, t *table, key string) string {
	if col, ok := t.byKey[key]; ok {
		return col.name
	}
	if name, ok := s.Names[m][key]; ok {
		return name
	}
	if name, ok := strings.CutPrefix(key, "$"); ok && schema.IsSystemColumn(name) {
		return name
	}
	return key
}

// VariableOf reads an item of Condition.Values that is a variable: a Variable, or the
// object {"var": path} it becomes when a kept role is read back from JSON (no type with
// the in lookup has objects for values).
func VariableOf(v any) (string, bool) {
	switch x := v.(type) {
	case Variable:
		return x.Var, true
	case *Variable:
		return x.Var, x != nil
	case map[string]any:
		if s, ok := x["var"].(string); ok && len(x) == 1 {
			return s, true
		}
	}
	return "", false
}
