package records

import (
	"context"
	"strings"
	"sync"
	"sync/atomic"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// Caller is who a record request acts for. The zero Caller is a built-in role, whose
// route admitted it to everything the route does; a custom role (Role set) reaches only
// what its rules (Tables.Roles) allow.
type Caller struct {
	// Role is the name of one of the tenant's custom roles; "" for a built-in role.
	Role string
	// Vars are the caller's $auth variables (auth.Principal.Vars).
	Vars map[string]any
}

func (c Caller) custom() bool { return c.Role != "" }

// rule is a custom role's rule for one action on one table, compiled against the table's
// columns once per schema version (Table.rule).
type rule struct {
	role   string
	action access.Action
	model  string
	// all: every field; else allowed holds, by column position, the fields the action
	// reads or writes, and cols them in table order.
	all     bool
	allowed []bool
	cols    []*column
	terms   []term
	presets []preset
	// lostPreset: a preset names a field the table lacks; a create through the rule is
	// refused rather than written without it.
	lostPreset bool
	// selected are the columns its reads select (compileReads), selectList their select
	// list; trim: id is selected but not readable, and is trimmed after.
	selected   []*column
	selectList string
	trim       bool
	// gets are the statements of its gets by id, by shape of its conditions (rolegets.go).
	gets batch.Store[*roleGetShape]
}

// term is one condition of a rule's row filter. A constant the field's type refuses
// (bad) makes the filter match nothing, as a variable the caller lacks does.
type term struct {
	col    *column
	lookup query.Lookup
	name   string // the lookup's name ("" for equality)
	value  any
	claim  string // a variable's claim path (access.Claim); "" for a constant
	values []any  // for in: constants, or claims (claimPath)
	bad    bool
}

// claimPath is an item of an __in term's values that names a claim.
type claimPath string

type preset struct {
	col   *column
	value any
	claim string
}

// ruleKey is a compiled rule's key in its table: the role as this version holds it.
type ruleKey struct {
	role   *access.Stored
	action access.Action
}

// rules are a table's compiled rules. A table lives for one schema version, whose roles
// are at most access.MaxRoles: the bound only guards against roles that are not the
// version's own (tests), which are compiled each time.
type rules struct {
	m sync.Map // ruleKey → *rule
	n atomic.Int64
}

const maxRules = access.MaxRoles * 5

// rule returns the caller's rule for action on t: a 403 when its role, the model or the
// action is not allowed.
func (t *Table) rule(ts *Tables, c Caller, action access.Action) (*rule, error) {
	role := ts.Roles[c.Role]
	var sr *access.StoredRule
	if role != nil {
		sr = role.Permissions[t.Model.Name][action]
	}
	if sr == nil {
		return nil, notAllowed(c.Role, action, t.Model.Name)
	}
	k := ruleKey{role, action}
	if r, ok := t.rules.m.Load(k); ok {
		return r.(*rule), nil
	}
	r := t.compileRule(c.Role, action, sr)
	if t.rules.n.Load() < maxRules {
		if prev, loaded := t.rules.m.LoadOrStore(k, r); loaded {
			return prev.(*rule), nil
		}
		t.rules.n.Add(1)
	}
	return r, nil
}

// admit refuses a custom role a model or action its rules do not name, before the model
// is looked up: a model the tenant lacks is then refused as one it has, so that the
// answer tells the role nothing of the models it may not use.
func (s *Service) admit(ctx context.Context, t tenantref.Ref, c Caller, model string, action access.Action, minVersion int64) error {
	ts, err := s.Catalog.Get(ctx, t, minVersion)
	if err != nil {
		return err
	}
	if role := ts.Roles[c.Role]; role == nil || role.Permissions[model][action] == nil {
		return notAllowed(c.Role, action, model)
	}
	return nil
}

// notAllowed is the 403 of a role whose rules do not name the model or the action.
func notAllowed(role string, action access.Action, model string) *apperr.Error {
	return apperr.New(apperr.Forbidden, "role "+role+" may not "+string(action)+" "+model)
}

// columnByID finds a column by the id a stored rule names it by.
func (t *Table) columnByID(id string) *column {
	if name, ok := strings.CutPrefix(id, "$"); ok {
		if c, ok := t.byName[name]; ok && c.field == nil {
			return c
		}
		return nil
	}
	for _, c := range t.columns[len(schema.SystemColumns):] {
		if c.field.ID == id || c.field.ID == "" && c.field.Name == id { // a field without an id is kept by name
			return c
		}
	}
	return nil
}

func (t *Table) compileRule(role string, action access.Action, sr *access.StoredRule) *rule {
	r := &rule{role: role, action: action, model: t.Model.Name, allowed: make([]bool, len(t.columns))}
	if sr.Fields != nil && sr.Fields.All {
		r.all, r.cols = true, t.columns
		for i := range r.allowed {
			r.allowed[i] = true
		}
	} else if sr.Fields != nil {
		for _, id := range sr.Fields.Names {
			if c := t.columnByID(id); c != nil {
				r.allowed[c.pos] = true
			}
		}
		for _, c := range t.columns {
			if r.allowed[c.pos] {
				r.cols = append(r.cols, c)
			}
		}
	}
	r.compileReads(t)
	for _, cond := range sr.Filter {
		r.terms = append(r.terms, compileTerm(t.columnByID(cond.Field), cond))
	}
	for _, p := range sr.Presets {
		c := t.columnByID(p.Field)
		if c == nil {
			r.lostPreset = true
			continue
		}
		pr := preset{col: c, value: p.Value}
		if p.Var != "" {
			pr.claim = claimOf(p.Var)
		}
		r.presets = append(r.presets, pr)
	}
	return r
}

// claimOf is the claim path of a stored variable: "sub", or "org.id" (a "$auth." prefix,
// as the API writes it, is dropped).
func claimOf(v string) string { return strings.TrimPrefix(v, access.VariablePrefix) }

func compileTerm(c *column, cond access.Condition) term {
	l, ok := query.LookupOf(cond.Lookup)
	if c == nil || !ok || !c.lookups.Has(l) {
		return term{bad: true}
	}
	tm := term{col: c, lookup: l, name: cond.Lookup}
	switch {
	case cond.Var != "":
		tm.claim = claimOf(cond.Var)
	case l == query.In:
		for _, v := range cond.Values {
			if p, isVar := access.VariableOf(v); isVar {
				tm.values = append(tm.values, claimPath(claimOf(p)))
			} else if nv, ok := tm.normalize(v); ok {
				tm.values = append(tm.values, nv)
			}
		}
	default:
		v, ok := tm.normalize(cond.Value)
		tm.value, tm.bad = v, !ok
	}
	return tm
}

// normalize turns a rule's value (or a claim) into what the term's column binds, as the
// roles check it (access.NormalizeValue); ok is false when the column's type refuses it.
func (tm *term) normalize(v any) (any, bool) {
	if tm.lookup == query.IsNull {
		b, ok := v.(bool)
		return b, ok
	}
	nv, p := access.NormalizeValue(tm.col.codec, tm.name, v)
	return nv, p == nil
}

// where returns the rule's filter with the caller's variables in it, as list conditions;
// ok is false when it matches nothing (a constant or claim the field refuses, a claim the
// caller lacks, an __in left empty).
func (r *rule) where(vars map[string]any) (conds []query.Condition, ok bool) {
	if len(r.terms) == 0 {
		return nil, true
	}
	conds = make([]query.Condition, 0, len(r.terms))
	for i := range r.terms {
		tm := &r.terms[i]
		if tm.bad {
			return nil, false
		}
		qc := query.Condition{Col: &tm.col.q, Lookup: tm.lookup, Value: tm.value}
		switch {
		case tm.claim != "" && tm.lookup == query.In: // a claim that is a list, or one value
			v, found := access.Claim(vars, tm.claim)
			if !found {
				return nil, false
			}
			if qc.Values = tm.appendClaim(nil, v); len(qc.Values) == 0 {
				return nil, false
			}
		case tm.claim != "":
			v, found := access.Claim(vars, tm.claim)
			if !found {
				return nil, false
			}
			if qc.Value, found = tm.normalize(v); !found {
				return nil, false
			}
		case tm.lookup == query.In:
			for _, v := range tm.values {
				p, isVar := v.(claimPath)
				if !isVar {
					qc.Values = append(qc.Values, v)
				} else if cv, found := access.Claim(vars, string(p)); found {
					qc.Values = tm.appendClaim(qc.Values, cv)
				}
			}
			if len(qc.Values) == 0 {
				return nil, false
			}
		}
		conds = append(conds, qc)
	}
	return conds, true
}

// appendClaim appends to values a claim of an __in term: each item of a claim that is a
// list, or the claim itself, those the field refuses left out.
func (tm *term) appendClaim(values []any, claim any) []any {
	list, isList := claim.([]any)
	if !isList {
		list = []any{claim}
	}
	for _, v := range list {
		if nv, ok := tm.normalize(v); ok {
			values = append(values, nv)
		}
	}
	return values
}

// can reports whether the rule reads or writes column c.
func (r *rule) can(c *query.Column) bool { return r.all || r.allowed[c.Pos] }

func (r *rule) canName(t *Table, name string) bool {
	c, ok := t.byName[name]
	return !ok || r.all || r.allowed[c.pos] // an unknown name is the parser's to refuse
}

// forbidden is the 403 of a row that is outside the rule's filter.
func (r *rule) forbidden(detail string) *apperr.Error {
	return apperr.New(apperr.Forbidden, "role "+r.role+" may not "+string(r.action)+" this "+r.model+" record: "+detail)
}

// trimmed returns recs holding only cols (table order), without changing recs.
func trimmed(recs []*Record, cols []*column) []*Record {
	out := make([]*Record, len(recs))
	for i, rec := range recs {
		if rec == nil {
			continue
		}
		vals := make([]any, 0, len(cols))
		kept := make([]*column, 0, len(cols))
		for _, c := range cols {
			for j, rc := range rec.cols {
				if rc == c {
					kept, vals = append(kept, c), append(vals, rec.vals[j])
					break
				}
			}
		}
		out[i] = &Record{cols: kept, vals: vals}
	}
	return out
}
