package records

import (
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"

	"forma.dev/backend/internal/wire"
	"forma.dev/shared/problem"
)

// List limits.
const (
	DefaultLimit = 20
	MaxLimit     = 1000
)

// condition is one parsed filter: column, lookup and its normalised value(s).
type condition struct {
	col    *column
	lookup lookup
	value  any   // one value; for isnull a bool
	values []any // for in
}

// sortKey is one key of the sort order.
type sortKey struct {
	col  *column
	desc bool
}

// ListQuery is a parsed, validated list request.
type ListQuery struct {
	where  []condition
	sort   []sortKey
	limit  int
	after  []any // the cursor: the sort key values of the last row seen
	fields []*column
	expand []*column
}

// reserved query parameters that are not filters.
var reserved = map[string]bool{"sort": true, "limit": true, "cursor": true, "fields": true, "expand": true}

// ParseList reads a list request's query string. Every problem is reported at once,
// with the parameter as its path. sort, fields and expand may be repeated, their lists
// joined (expand=a&expand=b is expand=a,b); limit and cursor may be given once.
func (t *Table) ParseList(q url.Values) (ListQuery, problem.List) {
	var probs problem.List
	lq := ListQuery{limit: DefaultLimit}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys) // deterministic SQL and problem order
	for _, k := range keys {
		if reserved[k] {
			continue
		}
		for _, raw := range q[k] {
			if c, p := t.parseFilter(k, raw); p != nil {
				probs = append(probs, *p)
			} else {
				lq.where = append(lq.where, c)
			}
		}
	}
	for _, k := range [...]string{"limit", "cursor"} {
		if len(q[k]) > 1 {
			probs.Add(k, problem.Duplicate, map[string]any{"name": k})
		}
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil:
			probs.Add("limit", problem.InvalidType, map[string]any{"expected": "a whole number"})
		case n < 1:
			probs.Add("limit", problem.Min, map[string]any{"min": 1})
		case n > MaxLimit:
			probs.Add("limit", problem.Max, map[string]any{"max": MaxLimit})
		default:
			lq.limit = n
		}
	}
	lq.sort = t.parseSort(strings.Join(q["sort"], ","), &probs)
	lq.fields = t.parseColumns("fields", strings.Join(q["fields"], ","), &probs, nil)
	lq.expand = t.parseColumns("expand", strings.Join(q["expand"], ","), &probs, isRelation)
	if v := q.Get("cursor"); v != "" && len(probs) == 0 {
		after, err := decodeCursor(v, lq.sort)
		if err != nil {
			probs.Add("cursor", problem.InvalidFormat, map[string]any{"format": "cursor from next_cursor with the same sort"})
		}
		lq.after = after
	}
	return lq, probs
}

// maxInValues bounds an __in list: far below Postgres' 65535 bind parameters, and more
// than a URL can sensibly carry.
const maxInValues = 1000

func (t *Table) parseFilter(key, raw string) (condition, *problem.Problem) {
	fail := func(code string, params map[string]any) (condition, *problem.Problem) {
		p := problem.New(key, code, params)
		return condition{}, &p
	}
	name, lk, _ := strings.Cut(key, "__")
	col, ok := t.byName[name]
	if !ok {
		return fail(problem.UnknownField, map[string]any{"name": name})
	}
	l, ok := lookupNames[lk]
	if !ok || !col.lookups.has(l) {
		return fail(problem.UnknownLookup, map[string]any{"lookup": lk})
	}
	c := condition{col: col, lookup: l}
	switch l {
	case lookupIsNull:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fail(problem.InvalidType, map[string]any{"expected": "true or false"})
		}
		c.value = b
	case lookupContains, lookupIContains, lookupStartsWith:
		c.value = raw // a fragment, not a whole value: not normalised
	case lookupIn:
		parts := strings.Split(raw, ",")
		if len(parts) > maxInValues {
			return fail(problem.MaxItems, map[string]any{"max": maxInValues})
		}
		for _, part := range parts {
			v, p := fromQuery(col, part)
			if p != nil {
				p.Path = key
				return condition{}, p
			}
			c.values = append(c.values, v)
		}
	default:
		v, p := fromQuery(col, raw)
		if p != nil {
			p.Path = key
			return condition{}, p
		}
		c.value = v
	}
	return c, nil
}

// fromQuery normalises a query-string value with the column's codec. A query string
// has only strings, so a value the codec refuses as a string is retried as the JSON
// number or boolean it spells: no per-type parsing here.
func fromQuery(col *column, raw string) (any, *problem.Problem) {
	v, p := col.codec.Normalize(raw)
	if p == nil {
		return v, nil
	}
	if p.Code != problem.InvalidType {
		return nil, p
	}
	if b, err := strconv.ParseBool(raw); err == nil && col.kind == wire.Bool {
		return col.codec.Normalize(b)
	}
	if _, err := strconv.ParseFloat(raw, 64); err == nil {
		return col.codec.Normalize(json.Number(raw))
	}
	return nil, p
}

func (t *Table) parseSort(spec string, probs *problem.List) []sortKey {
	var keys []sortKey
	seen := map[string]bool{}
	for _, part := range splitList(spec) {
		k := sortKey{desc: strings.HasPrefix(part, "-")}
		name := strings.TrimPrefix(part, "-")
		col, ok := t.byName[name]
		switch {
		case !ok:
			probs.Add("sort", problem.UnknownField, map[string]any{"name": name})
		case !col.sortable:
			probs.Add("sort", problem.NotAllowed, map[string]any{"attribute": "sorting by " + name})
		case seen[name]:
			probs.Add("sort", problem.Duplicate, map[string]any{"name": name})
		default:
			seen[name] = true
			k.col = col
			keys = append(keys, k)
		}
	}
	if !seen["id"] { // id is unique: it makes every order total, which keyset paging needs
		keys = append(keys, sortKey{col: t.byName["id"]})
	}
	return keys
}

func isRelation(c *column) bool { return c.relation }

// parseColumns reads the column list of fields or expand. A name listed twice is a
// duplicate problem, as in sort: an answer never holds a member twice, and expanding a
// relation twice would look up an id that the first expansion replaced.
func (t *Table) parseColumns(param, spec string, probs *problem.List, allowed func(*column) bool) []*column {
	var cols []*column
	for _, name := range splitList(spec) {
		col, ok := t.byName[name]
		switch {
		case !ok:
			probs.Add(param, problem.UnknownField, map[string]any{"name": name})
		case allowed != nil && !allowed(col):
			probs.Add(param, problem.NotAllowed, map[string]any{"attribute": param + " of " + name})
		case slices.Contains(cols, col):
			probs.Add(param, problem.Duplicate, map[string]any{"name": name})
		default:
			cols = append(cols, col)
		}
	}
	return cols
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
