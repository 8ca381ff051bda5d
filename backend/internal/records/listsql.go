package records

import (
	"strconv"
	"strings"
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
func (t *Table) listSQL(q ListQuery, cols string) (string, []any) {
	var a args
	var b strings.Builder
	b.WriteString("SELECT ")
	b.WriteString(cols)
	b.WriteString(" FROM ")
	b.WriteString(t.qualified)
	var conds []string
	for _, c := range q.where {
		conds = append(conds, c.sql(&a))
	}
	if q.after != nil {
		conds = append(conds, keysetSQL(q.sort, q.after, &a))
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	b.WriteString(" ORDER BY ")
	for i, k := range q.sort {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(k.col.quoted)
		if k.desc {
			b.WriteString(" DESC")
		}
	}
	// The limit is written, not bound: Postgres cannot cost a plan for an unknown limit,
	// so with a bound one it plans every execution of the prepared statement again
	// (custom plans); written, the plan is made once. It is an int ParseList bounded.
	b.WriteString(" LIMIT ")
	b.WriteString(strconv.Itoa(q.limit + 1))
	return b.String(), a
}

func (c condition) sql(a *args) string {
	col := c.col.quoted
	switch c.lookup {
	case lookupIsNull:
		if c.value.(bool) {
			return col + " IS NULL"
		}
		return col + " IS NOT NULL"
	case lookupNe:
		return col + " IS DISTINCT FROM " + a.bind(c.value)
	case lookupIn:
		ph := make([]string, len(c.values))
		for i, v := range c.values {
			ph[i] = a.bind(v)
		}
		return col + " IN (" + strings.Join(ph, ", ") + ")"
	case lookupContains:
		return col + " LIKE " + a.bind("%"+escapeLike(c.value.(string))+"%")
	case lookupIContains:
		return col + " ILIKE " + a.bind("%"+escapeLike(c.value.(string))+"%")
	case lookupStartsWith:
		return col + " LIKE " + a.bind(escapeLike(c.value.(string))+"%")
	}
	return col + " " + comparison[c.lookup] + " " + a.bind(c.value)
}

// escapeLike makes a user's fragment match itself literally in LIKE (backslash is
// Postgres' default LIKE escape).
func escapeLike(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// keysetSQL renders "the row comes after the cursor" for a sort order, as
// (k1 after v1) OR (k1 = v1 AND k2 after v2) OR ..., with Postgres' NULL placement:
// NULLs sort last ascending and first descending.
func keysetSQL(keys []sortKey, after []any, a *args) string {
	var ors []string
	for i := range keys {
		var ands []string
		for j := 0; j < i; j++ {
			ands = append(ands, equalSQL(keys[j], after[j], a))
		}
		cmp := afterSQL(keys[i], after[i], a)
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

func equalSQL(k sortKey, v any, a *args) string {
	if v == nil {
		return k.col.quoted + " IS NULL"
	}
	return k.col.quoted + " = " + a.bind(v)
}

func afterSQL(k sortKey, v any, a *args) string {
	col := k.col.quoted
	switch {
	case v == nil && k.desc:
		return col + " IS NOT NULL"
	case v == nil:
		return ""
	case k.desc:
		return col + " < " + a.bind(v)
	}
	return "(" + col + " > " + a.bind(v) + " OR " + col + " IS NULL)"
}
