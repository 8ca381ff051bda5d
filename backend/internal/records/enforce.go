package records

import (
	"context"
	"net/url"
	"sort"
	"strings"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/query"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// What a custom role's rules change in each request. Built-in roles never come here.

func forbiddenField(probs *problem.List, path, name string) {
	probs.Add(path, problem.ForbiddenField, map[string]any{"name": name})
}

// refuseNames refuses what a list asks of fields the role cannot read (filters, sort,
// fields, expand, a cursor over them), by name, before the query is parsed: a parameter
// over such a field is a forbidden_field whatever its lookup or value, so that no other
// problem tells the field's type.
func (r *rule) refuseNames(t *Table, q url.Values) error {
	var probs problem.List
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if name, _, _ := strings.Cut(k, "__"); !query.ListParameter(k) && !r.canName(t, name) {
			forbiddenField(&probs, k, name)
		}
	}
	var hidden string // the first key of the order the role cannot read
	for _, part := range splitNames(q["sort"]) {
		if name := strings.TrimPrefix(part, "-"); !r.canName(t, name) {
			forbiddenField(&probs, "sort", name)
			if hidden == "" {
				hidden = name
			}
		}
	}
	for _, param := range [...]string{"fields", "expand"} {
		for _, name := range splitNames(q[param]) {
			if !r.canName(t, name) {
				forbiddenField(&probs, param, name)
			}
		}
	}
	if id := t.columns[0].name; hidden == "" && !r.canName(t, id) {
		hidden = id // id ends every order
	}
	if hidden != "" && q.Get("cursor") != "" {
		forbiddenField(&probs, "cursor", hidden)
	}
	if len(probs) > 0 {
		return apperr.Validation("the query is not valid", probs)
	}
	return nil
}

// splitNames are the names of a comma-separated list parameter, given once or more.
func splitNames(vals []string) []string {
	var out []string
	for _, part := range strings.Split(strings.Join(vals, ","), ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

// narrowList adds the role's filter and fields to lq, which refuseNames has checked.
// none is true when the filter matches nothing for this caller; hideCursor when the
// order's keys (id, at least) are not all readable, so next_cursor would show them.
func (r *rule) narrowList(t *Table, c Caller, lq *query.List) (none, hideCursor bool) {
	for _, k := range lq.Sort {
		if !r.can(k.Col) {
			hideCursor = true
			break
		}
	}
	conds, ok := r.where(c.Vars)
	if !ok {
		return true, hideCursor
	}
	if len(conds) > 0 {
		where := make([]query.Condition, 0, len(lq.Where)+len(conds))
		lq.Where = append(append(where, lq.Where...), conds...)
	}
	if len(lq.Fields) == 0 && !r.all {
		if len(r.cols) == 0 {
			lq.Fields = []*query.Column{&t.columns[0].q} // trimmed away after
		}
		for _, c := range r.cols {
			lq.Fields = append(lq.Fields, &c.q)
		}
	}
	return false, hideCursor
}

// compileReads sets, once per rule, the columns a read through r selects: the readable
// ones, with id first when it is not one of them (expand needs it; trimmed after), and
// their select list.
func (r *rule) compileReads(t *Table) {
	switch {
	case r.all:
		r.selected = t.columns
	case len(r.cols) > 0 && r.cols[0] == t.columns[0]:
		r.selected = r.cols
	default:
		r.selected, r.trim = append([]*column{t.columns[0]}, r.cols...), true
	}
	r.selectList = selectList(r.selected)
}

func selectList(cols []*column) string {
	exprs := make([]string, len(cols))
	for i, c := range cols {
		exprs[i] = selectExpr(c)
	}
	return strings.Join(exprs, ", ")
}

// getWhere reads the columns cols of one row by id that also satisfies conds; nil when
// there is none.
func (t *Table) getWhere(ctx context.Context, q Querier, id int64, cols []*column, conds []query.Condition) (*Record, error) {
	text, _ := t.getWhereTexts(selectList(cols), conds)
	recs, err := t.query(ctx, q, text, condArgs(args{id}, conds), cols, 1)
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// getAs reads one record as the rule of get allows. Batched, it goes with the gets of
// the same rule and condition values that wait, as one statement (rolegets.go).
func (t *Table) getAs(ctx context.Context, q Querier, batched bool, r *rule, c Caller, id int64) (*Record, error) {
	conds, ok := r.where(c.Vars)
	if !ok {
		return nil, nil
	}
	cols := r.selected
	var rec *Record
	var err error
	if s := r.getShape(t, conds); s != nil && batched {
		rec, err = t.getRoleBatched(ctx, q, s, cols, id, condArgs(nil, conds))
	} else {
		var text string
		if s != nil {
			text = s.one
		} else {
			text, _ = t.getWhereTexts(r.selectList, conds)
		}
		var recs []*Record
		if recs, err = t.query(ctx, q, text, condArgs(args{id}, conds), cols, 1); len(recs) > 0 {
			rec = recs[0]
		}
	}
	if err != nil || rec == nil || !r.trim {
		return rec, err
	}
	return trimmed([]*Record{rec}, r.cols)[0], nil
}

// withConds renders a statement text of the table (one of its updates or deletes, which
// end in RETURNING) with conds added to its WHERE, bound after a.
func (t *Table) withConds(text string, a *args, conds []query.Condition) string {
	if len(conds) == 0 {
		return text
	}
	head, tail, _ := strings.Cut(text, " RETURNING ")
	var b strings.Builder
	b.WriteString(head)
	for _, c := range conds {
		b.WriteString(" AND " + t.conditionSQL(c, a))
	}
	return b.String() + " RETURNING " + tail
}

// updateWhere is Update of a row that also satisfies conds.
func (t *Table) updateWhere(ctx context.Context, q Querier, id int64, vals map[string]any, ifMatch *int64, conds []query.Condition) ([]*Record, error) {
	var cols []*column
	a := make(args, 0, len(vals)+2+len(conds))
	for _, c := range t.columns[len(schema.SystemColumns):] {
		if val, ok := vals[c.name]; ok {
			cols = append(cols, c)
			a = append(a, dbValue(c, val))
		}
	}
	a = append(a, id)
	if ifMatch != nil {
		a = append(a, *ifMatch)
	}
	text := t.withConds(t.updateSQL(cols, ifMatch != nil), &a, conds)
	return t.query(ctx, q, text, a, t.columns, 1)
}

// deleteWhere is Delete of a row that also satisfies conds.
func (t *Table) deleteWhere(ctx context.Context, q Querier, id int64, ifMatch *int64, conds []query.Condition) ([]*Record, error) {
	a, text := args{id}, t.deleteSQL[0]
	if ifMatch != nil {
		a, text = args{id, *ifMatch}, t.deleteSQL[1]
	}
	return t.query(ctx, q, t.withConds(text, &a, conds), a, t.columns, 1)
}

// readable is what a write's answer may show of the rows it wrote: the caller's get
// rule (g, nil without one) and its filter with the caller's variables (ok false when it
// matches nothing), which checkWritten evaluates inside the write.
type readable struct {
	g     *rule
	conds []query.Condition
	ok    bool
}

// readableOf is the caller's readable for writes to t.
func (t *Table) readableOf(ts *Tables, c Caller) readable {
	g, err := t.rule(ts, c, access.Get)
	if err != nil {
		return readable{}
	}
	conds, ok := g.where(c.Vars)
	return readable{g: g, conds: conds, ok: ok}
}

// checkWritten checks, inside the write's transaction, that every row written satisfies
// conds (the rule's filter): a 403 naming the field of each row's first failing term
// ("[3].owner" in a bulk write), so that the caller's transaction writes nothing. It
// answers, in the same statement, which of the rows the get rule's filter (rd) holds:
// by id, those the answer may show as the get rule reads them.
func (t *Table) checkWritten(ctx context.Context, q Querier, r *rule, conds []query.Condition, rd readable, recs []*Record, bulk bool) (map[int64]bool, error) {
	if len(recs) == 0 {
		return nil, nil
	}
	ids := make([]int64, len(recs))
	at := make(map[int64]int, len(recs))
	visible := make(map[int64]bool, len(recs))
	for i, rec := range recs {
		ids[i], _ = idOf(rec, schema.ColumnID)
		at[ids[i]] = i
		visible[ids[i]] = rd.ok && len(rd.conds) == 0
	}
	testGet := rd.ok && len(rd.conds) > 0
	if len(conds) == 0 && !testGet {
		return visible, nil
	}
	var a args
	var b strings.Builder
	b.WriteString("SELECT " + t.columns[0].quoted)
	for _, c := range conds {
		b.WriteString(", COALESCE(" + t.conditionSQL(c, &a) + ", false)")
	}
	if testGet {
		b.WriteString(", COALESCE(")
		for i, c := range rd.conds {
			if i > 0 {
				b.WriteString(" AND ")
			}
			b.WriteString("(" + t.conditionSQL(c, &a) + ")")
		}
		b.WriteString(", false)")
	}
	b.WriteString(" FROM " + t.qualified + " WHERE " + t.columns[0].quoted + " = ANY(" + a.bind(ids) + ")")
	rows, err := q.Query(ctx, b.String(), a...)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	failing := make(map[int]string)
	oks := make([]bool, len(conds))
	var seen bool
	dest := make([]any, 0, len(conds)+2)
	var id int64
	dest = append(dest, &id)
	for i := range oks {
		dest = append(dest, &oks[i])
	}
	if testGet {
		dest = append(dest, &seen)
	}
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, dbError(err)
		}
		for i, ok := range oks {
			if !ok {
				failing[at[id]] = conds[i].Col.Name
				break
			}
		}
		if testGet {
			visible[id] = seen
		}
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	if len(failing) == 0 {
		return visible, nil
	}
	idx := make([]int, 0, len(failing))
	for i := range failing {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	var probs problem.List
	for _, i := range idx {
		path := failing[i]
		if bulk {
			path = problem.Join(problem.Index("", i), path)
		}
		probs.Add(path, problem.InvalidValue, map[string]any{"reason": "the record would be outside what role " + r.role + " may " + string(r.action)})
	}
	e := r.forbidden(probs[0].Path + " is outside its filter")
	e.Problems = probs
	return nil, e
}

// writeBody refuses the fields of a body the rule does not write and, on create, sets
// its presets (which win over the body).
func (r *rule) writeBody(t *Table, c Caller, body map[string]any, probs *problem.List) (map[string]any, error) {
	names := make([]string, 0, len(body))
	for k := range body {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		if !r.canName(t, k) {
			forbiddenField(probs, k, k)
		}
	}
	if r.lostPreset {
		return nil, r.forbidden("one of its presets names a field the model lacks")
	}
	if len(r.presets) == 0 {
		return body, nil
	}
	out := make(map[string]any, len(body)+len(r.presets))
	for k, v := range body {
		out[k] = v
	}
	for _, p := range r.presets {
		v := p.value
		if p.claim != "" {
			var ok bool
			if v, ok = access.Claim(c.Vars, p.claim); !ok {
				return nil, r.forbidden("the caller has no " + p.claim + " for " + p.col.name)
			}
		}
		out[p.col.name] = v
	}
	return out, nil
}

// replaceBody is what a PUT through a rule that writes some fields only validates: the
// body as a patch, plus, for each field it may write and left out, what a replace sets
// (its default, or null; required: a problem).
func (r *rule) replaceBody(t *Table, body map[string]any) (map[string]any, problem.List) {
	vals, probs := t.validator.Validate(body, record.Patch)
	if len(probs) > 0 {
		return nil, probs
	}
	for _, f := range t.validator.Fields() {
		c := t.byName[f.Name]
		if _, given := body[f.Name]; given || !r.allowed[c.pos] || f.AutoNow || f.AutoNowAdd {
			continue
		}
		switch {
		case f.HasDefault:
			vals[f.Name] = f.Default
		case f.Required:
			probs.Add(f.Name, problem.Required, nil)
		default:
			vals[f.Name] = nil
		}
	}
	if len(probs) > 0 {
		return nil, probs
	}
	return vals, nil
}

// answerAs trims written records to what the caller may see: a row the get rule's
// filter held when it was written (visible, by id) as the get rule reads it; any other
// row, or every row when the role has no get rule, only with the fields the write's rule
// w writes.
func (t *Table) answerAs(rd readable, w *rule, visible map[int64]bool, recs []*Record) []*Record {
	out := make([]*Record, len(recs))
	for i, rec := range recs {
		id, _ := idOf(rec, schema.ColumnID)
		switch {
		case rd.g != nil && visible[id] && rd.g.all:
			out[i] = rec
		case rd.g != nil && visible[id]:
			out[i] = trimmed([]*Record{rec}, rd.g.cols)[0]
		case w.all:
			out[i] = trimmed([]*Record{rec}, t.columns[len(schema.SystemColumns):])[0]
		default:
			out[i] = trimmed([]*Record{rec}, w.cols)[0]
		}
	}
	return out
}
