package access

import (
	"cmp"
	"slices"
	"strings"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// compile is Compile: every problem of r at once, in a deterministic order (models,
// actions, filter terms and presets by name), in time linear in the size of r and of
// the models it names.
func compile(r Role, models []schema.Model) (*Stored, problem.List) {
	var list problem.List
	checkText(&list, "description", r.Description, MaxDescriptionBytes)
	s := &Stored{Description: r.Description, Permissions: map[string]map[Action]*StoredRule{}}
	if len(r.Permissions) > MaxModels {
		list.Add("permissions", problem.MaxItems, map[string]any{"max": MaxModels})
		return nil, list
	}
	ts := newTables(models)
	for _, name := range sortedKeys(r.Permissions) {
		path := "permissions." + name
		t, ok := ts.get(name)
		if !ok {
			list.Add(path, problem.UnknownModel, map[string]any{"name": name})
			continue
		}
		c := &compiler{t: t}
		rules := make(map[Action]*StoredRule, len(r.Permissions[name]))
		for _, a := range sortedKeys(r.Permissions[name]) {
			at := path + "." + string(a)
			if !slices.Contains(Actions, a) {
				list.Add(at, problem.UnknownAction, map[string]any{"action": string(a)})
				continue
			}
			sr, more := c.rule(a, r.Permissions[name][a])
			list.Append(at, more)
			rules[a] = sr
		}
		s.Permissions[name] = rules
		if len(c.names) > 0 {
			if s.Names == nil {
				s.Names = map[string]map[string]string{}
			}
			s.Names[name] = c.names
		}
	}
	if len(list) > 0 {
		return nil, list
	}
	return s, nil
}

// compiler compiles the rules of one model, noting the names of the fields they use.
type compiler struct {
	t     *table
	names map[string]string // field id to name, for the fields the rules use
}

func (c *compiler) use(col *column) {
	if col.system {
		return
	}
	if c.names == nil {
		c.names = map[string]string{}
	}
	c.names[col.key] = col.name
}

// rule compiles one rule of action a; problems have paths relative to the rule.
func (c *compiler) rule(a Action, r *Rule) (*StoredRule, problem.List) {
	if r == nil {
		r = &Rule{}
	}
	var list problem.List
	sr := &StoredRule{}
	if len(r.Filter) > MaxFilterTerms {
		list.Add("filter", problem.MaxItems, map[string]any{"max": MaxFilterTerms})
	} else {
		for _, key := range sortedKeys(r.Filter) {
			cond, more := c.condition(key, r.Filter[key])
			list.Append("filter."+key, more)
			if more == nil {
				sr.Filter = append(sr.Filter, cond)
			}
		}
	}
	switch {
	case r.Fields == nil && a != Delete:
		list.Add("fields", problem.Required, nil)
	case r.Fields != nil && a == Delete:
		list = append(list, notAllowed("fields", a, "delete reads and writes no fields"))
	case r.Fields != nil:
		f, more := c.fields(a, r.Fields)
		list = append(list, more...)
		sr.Fields = f
	}
	switch {
	case len(r.Presets) == 0:
	case a != Create:
		list = append(list, notAllowed("presets", a, "only create takes presets"))
	case len(r.Presets) > MaxPresets:
		list.Add("presets", problem.MaxItems, map[string]any{"max": MaxPresets})
	default:
		for _, name := range sortedKeys(r.Presets) {
			p, prob := c.preset(name, r.Presets[name])
			if prob != nil {
				prob.Path = "presets." + name
				list = append(list, *prob)
				continue
			}
			sr.Presets = append(sr.Presets, p)
		}
	}
	return sr, list
}

// notAllowed reports attribute on a rule of action a. The code is not_allowed, whose
// catalogue message speaks of field types: this one says why for a rule.
func notAllowed(attribute string, a Action, why string) problem.Problem {
	p := problem.New(attribute, problem.NotAllowed, map[string]any{"attribute": attribute, "action": string(a)})
	p.Message = attribute + " is not allowed: " + why
	return p
}

// condition compiles the filter term key: value; problems have paths relative to it.
func (c *compiler) condition(key string, raw any) (Condition, problem.List) {
	one := func(code string, params map[string]any) (Condition, problem.List) {
		return Condition{}, problem.List{problem.New("", code, params)}
	}
	name, lookup, found := strings.Cut(key, "__")
	col, ok := c.t.byName[name]
	switch {
	case !ok:
		return one(problem.UnknownField, map[string]any{"name": name})
	case found && lookup == "" || !col.allows(lookup):
		return one(problem.UnknownLookup, map[string]any{"lookup": lookup})
	}
	c.use(col)
	cond := Condition{Field: col.key, Lookup: lookup}
	switch lookup {
	case lookupIsNull:
		b, ok := raw.(bool)
		if !ok {
			return one(problem.InvalidType, map[string]any{"expected": "true or false"})
		}
		cond.Value = b
	case lookupIn:
		items, ok := raw.([]any)
		switch {
		case !ok:
			return one(problem.InvalidType, map[string]any{"expected": "a list"})
		case len(items) > MaxInValues:
			return one(problem.MaxItems, map[string]any{"max": MaxInValues})
		}
		var list problem.List
		cond.Values = make([]any, len(items))
		for i, item := range items {
			v, p := value(col, lookup, item)
			if p != nil {
				p.Path = problem.Index("", i)
				list = append(list, *p)
			}
			cond.Values[i] = v
		}
		if list != nil {
			return Condition{}, list
		}
	default:
		v, p := value(col, lookup, raw)
		if p != nil {
			return Condition{}, problem.List{*p}
		}
		if claim, ok := v.(Variable); ok {
			cond.Var = claim.Var
		} else {
			cond.Value = v
		}
	}
	return cond, nil
}

// value reads one value of a filter term with lookup on col: a Variable or the value
// normalised.
func value(col *column, lookup string, raw any) (any, *problem.Problem) {
	lit, claim, p := parseValue(raw)
	switch {
	case p != nil:
		return nil, p
	case claim != "":
		return Variable{Var: claim}, nil
	}
	return normalize(col, lookup, lit)
}

// fields compiles the fields of action a; problems have paths relative to the rule.
func (c *compiler) fields(a Action, f *Fields) (*Fields, problem.List) {
	if f.All {
		return &Fields{All: true}, nil
	}
	var list problem.List
	if len(f.Names) > MaxFields {
		list.Add("fields", problem.MaxItems, map[string]any{"max": MaxFields})
		return nil, list
	}
	out := &Fields{Names: make([]string, 0, len(f.Names))}
	seen := make(map[string]bool, len(f.Names))
	for i, name := range f.Names {
		path := problem.Index("fields", i)
		col, ok := c.t.byName[name]
		switch {
		case !ok:
			list.Add(path, problem.UnknownField, map[string]any{"name": name})
		case seen[name]:
			list.Add(path, problem.Duplicate, map[string]any{"name": name})
		default:
			if p := writable(col, a); p != nil {
				p.Path = path
				list = append(list, *p)
			}
			c.use(col)
			out.Names = append(out.Names, col.key)
		}
		seen[name] = true
	}
	return out, list
}

// writable reports a field that action a may not name: create and update write their
// fields, and Forma sets the system columns and the automatic datetimes.
func writable(col *column, a Action) *problem.Problem {
	if (a == Create || a == Update) && (col.system || col.auto) {
		return fail(problem.ReadOnly, nil)
	}
	return nil
}

// preset compiles the preset name: value; its problem has an empty path.
func (c *compiler) preset(name string, raw any) (Preset, *problem.Problem) {
	col, ok := c.t.byName[name]
	if !ok {
		return Preset{}, fail(problem.UnknownField, map[string]any{"name": name})
	}
	c.use(col)
	lit, claim, p := parseValue(raw)
	if p != nil {
		return Preset{}, p
	}
	pr := Preset{Field: col.key, Value: lit, Var: claim}
	return pr, checkPreset(col, &pr)
}

// checkPreset checks pr against the field col and normalises its value in place.
func checkPreset(col *column, pr *Preset) *problem.Problem {
	switch {
	case col.system || col.auto:
		return fail(problem.ReadOnly, nil)
	case pr.Var != "":
		return nil
	case pr.Value == nil && col.required:
		return fail(problem.Required, nil)
	case pr.Value == nil:
		return nil
	}
	v, p := normalize(col, "", pr.Value)
	if p != nil {
		return p
	}
	if len(col.choices) > 0 && !slices.ContainsFunc(col.choices, func(c any) bool { return fieldtype.Equal(c, v) }) {
		return fail(problem.Choice, map[string]any{"choices": col.choices})
	}
	pr.Value = v
	return nil
}

// checkText reports a text attribute longer than max bytes, with a NUL character or
// not valid UTF-8, as schema does for a model's description.
func checkText(list *problem.List, path, s string, max int) {
	switch {
	case len(s) > max:
		list.Add(path, problem.TooLong, map[string]any{"max": max})
	case s != "":
		if p := fieldtype.CheckText(s); p != nil {
			p.Path = path
			*list = append(*list, *p)
		}
	}
}

// sortedKeys returns a map's keys in order: problems and kept rules do not depend on
// the order a map is walked in.
func sortedKeys[K cmp.Ordered, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
