package records

import (
	"strconv"
	"strings"

	"forma.dev/backend/internal/query"
)

// args collects bind parameters and hands out their $n placeholders.
type args []any

func (a *args) bind(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// listSQL renders a list query: every identifier comes from the compiled table, every
// value is a bind parameter. It asks for one row more than the limit to tell whether a
// next page exists.
func (t *Table) listSQL(q query.List, cols string) (string, []any) {
	text, a := t.selectSQL(q, cols)
	// The limit is written, not bound: Postgres cannot cost a plan for an unknown limit,
	// so with a bound one it plans every execution of the prepared statement again
	// (custom plans); written, the plan is made once. It is an int ParseList bounded.
	return text + " LIMIT " + strconv.Itoa(q.Limit+1), a
}

// selectSQL renders a list query's SELECT with its filters, cursor and order (none
// without sort keys), and no limit (an export reads every row).
func (t *Table) selectSQL(q query.List, cols string) (string, []any) {
	var a args
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(cols)
	b.WriteString(" FROM ")
	b.WriteString(t.qualified)
	var conds []string
	for _, c := range q.Where {
		conds = append(conds, t.conditionSQL(c, &a))
	}
	if q.After != nil {
		conds = append(conds, t.keysetSQL(q.Sort, q.After, &a))
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	if len(q.Sort) > 0 { // a list always has id among its keys; a count has none
		b.WriteString(" ORDER BY ")
	}
	for i, k := range q.Sort {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(t.of(k.Col).quoted)
		if k.Desc {
			b.WriteString(" DESC")
		}
	}
	return b.String(), a
}

// comparison holds the SQL operator of the lookups that compare one value.
var comparison = map[query.Lookup]string{
	query.Eq: "=", query.Ne: "<>", query.Lt: "<", query.Lte: "<=", query.Gt: ">", query.Gte: ">=",
}

func (t *Table) conditionSQL(c query.Condition, a *args) string {
	col := t.of(c.Col).quoted
	switch c.Lookup {
	case query.IsNull:
		if c.Value.(bool) {
			return col + " IS NULL"
		}
		return col + " IS NOT NULL"
	case query.Ne:
		return col + " IS DISTINCT FROM " + a.bind(c.Value)
	case query.In:
		ph := make([]string, len(c.Values))
		for i, v := range c.Values {
			ph[i] = a.bind(v)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	case query.Contains:
		return col + " LIKE " + a.bind("%"+escapeLike(c.Value.(string))+"%")
	case query.IContains:
		return col + " ILIKE " + a.bind("%"+escapeLike(c.Value.(string))+"%")
	case query.StartsWith:
		return col + " LIKE " + a.bind(escapeLike(c.Value.(string))+"%")
	}
	return col + " " + comparison[c.Lookup] + " " + a.bind(c.Value)
}

// escapeLike makes a user's fragment match itself literally in LIKE (backslash is
// Postgres' default LIKE escape).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// keysetSQL renders "the row comes after the cursor" for a sort order, as
// (k1 after v1) OR (k1 = v1 AND k2 after v2) OR ..., with Postgres' NULL placement:
// NULLs sort last ascending and first descending.
func (t *Table) keysetSQL(keys []query.SortKey, after []any, a *args) string {
	var ors []string
	for i := range keys {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, equalSQL(t.of(keys[j].Col).quoted, after[j], a))
		}
		cmp := afterSQL(t.of(keys[i].Col).quoted, keys[i].Desc, after[i], a)
		if cmp == "" {
			continue // nothing sorts after this value on this key: only ties continue
		}
		ands = append(ands, cmp)
		ors = append(ors, "("+strings.Join(ands, " AND ")+")")
	}
	if len(ors) == 0 {
		return "FALSE"
	}
	return "(" + strings.Join(ors, " OR ") + ")"
}

func equalSQL(col string, v any, a *args) string {
	if v == nil {
		return col + " IS NULL"
	}
	return col + " = " + a.bind(v)
}

func afterSQL(col string, desc bool, v any, a *args) string {
	switch {
	case v == nil && desc:
		return col + " IS NOT NULL"
	case v == nil:
		return ""
	case desc:
		return col + " < " + a.bind(v)
	}
	return "(" + col + " > " + a.bind(v) + " OR " + col + " IS NULL)"
}
