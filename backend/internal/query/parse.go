package query

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

// Condition is one parsed filter: column, lookup and its normalised value(s).
type Condition struct {
	Col    *Column
	Lookup Lookup
	Value  any   // one value; for isnull a bool
	Values []any // for in
}

// SortKey is one key of the sort order.
type SortKey struct {
	Col  *Column
	Desc bool
}

// List is a parsed, validated list request.
type List struct {
	Where  []Condition
	Sort   []SortKey
	Limit  int
	After  []any // the cursor: the sort key values of the last row seen
	Fields []*Column
	Expand []*Column
}

// reserved query parameters that are not filters.
var reserved = map[string]bool{"sort": true, "limit": true, "cursor": true, "fields": true, "expand": true}

// ParseList reads a list request's query string against the columns of a model, m. Every
// problem is reported at once, with the parameter as its path. sort, fields and expand
// may be repeated, their lists joined (expand=a&expand=b is expand=a,b); limit and
// cursor may be given once.
func ParseList(m Columns, q url.Values) (List, problem.List) {
	var probs problem.List
	lq := List{Limit: DefaultLimit}
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
			if c, p := parseFilter(m, k, raw); p != nil {
				probs = append(probs, *p)
			} else {
				lq.Where = append(lq.Where, c)
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
			lq.Limit = n
		}
	}
	lq.Sort = parseSort(m, strings.Join(q["sort"], ","), &probs)
	lq.Fields = parseColumns(m, "fields", strings.Join(q["fields"], ","), &probs, nil)
	lq.Expand = ParseExpand(m, strings.Join(q["expand"], ","), &probs)
	if v := q.Get("cursor"); v != "" && len(probs) == 0 {
		after, err := decodeCursor(v, lq.Sort)
		if err != nil {
			probs.Add("cursor", problem.InvalidFormat, map[string]any{"format": "cursor from next_cursor with the same sort"})
		}
		lq.After = after
	}
	return lq, probs
}

// maxInValues bounds an __in list: far below Postgres' 65535 bind parameters, and more
// than a URL can sensibly carry.
const maxInValues = 1000

func parseFilter(m Columns, key, raw string) (Condition, *problem.Problem) {
	fail := func(code string, params map[string]any) (Condition, *problem.Problem) {
		p := problem.New(key, code, params)
		return Condition{}, &p
	}
	name, lk, _ := strings.Cut(key, "__")
	col, ok := m.Column(name)
	if !ok {
		return fail(problem.UnknownField, map[string]any{"name": name})
	}
	l, ok := lookupNames[lk]
	if !ok || !col.Lookups.Has(l) {
		return fail(problem.UnknownLookup, map[string]any{"lookup": lk})
	}
	c := Condition{Col: col, Lookup: l}
	switch l {
	case IsNull:
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return fail(problem.InvalidType, map[string]any{"expected": "true or false"})
		}
		c.Value = b
	case Contains, IContains, StartsWith:
		c.Value = raw // a fragment, not a whole value: not normalised
	case In:
		parts := strings.Split(raw, ",")
		if len(parts) > maxInValues {
			return fail(problem.MaxItems, map[string]any{"max": maxInValues})
		}
		for _, part := range parts {
			v, p := fromQuery(col, part)
			if p != nil {
				p.Path = key
				return Condition{}, p
			}
			c.Values = append(c.Values, v)
		}
	default:
		v, p := fromQuery(col, raw)
		if p != nil {
			p.Path = key
			return Condition{}, p
		}
		c.Value = v
	}
	return c, nil
}

// fromQuery normalises a query-string value with the column's codec. A query string
// has only strings, so a value the codec refuses as a string is retried as the JSON
// number or boolean it spells: no per-type parsing here.
func fromQuery(col *Column, raw string) (any, *problem.Problem) {
	v, p := col.Codec.Normalize(raw)
	if p == nil {
		return v, nil
	}
	if p.Code != problem.InvalidType {
		return nil, p
	}
	if b, err := strconv.ParseBool(raw); err == nil && col.Kind == wire.Bool {
		return col.Codec.Normalize(b)
	}
	if _, err := strconv.ParseFloat(raw, 64); err == nil {
		return col.Codec.Normalize(json.Number(raw))
	}
	return nil, p
}

func parseSort(m Columns, spec string, probs *problem.List) []SortKey {
	var keys []SortKey
	seen := map[string]bool{}
	for _, part := range splitList(spec) {
		k := SortKey{Desc: strings.HasPrefix(part, "-")}
		name := strings.TrimPrefix(part, "-")
		col, ok := m.Column(name)
		switch {
		case !ok:
			probs.Add("sort", problem.UnknownField, map[string]any{"name": name})
		case !col.Sortable:
			probs.Add("sort", problem.NotAllowed, map[string]any{"attribute": "sorting by " + name})
		case seen[name]:
			probs.Add("sort", problem.Duplicate, map[string]any{"name": name})
		default:
			seen[name] = true
			k.Col = col
			keys = append(keys, k)
		}
	}
	if !seen["id"] { // id is unique: it makes every order total, which keyset paging needs
		id, _ := m.Column("id")
		keys = append(keys, SortKey{Col: id})
	}
	return keys
}

func isRelation(c *Column) bool { return c.Relation }

// ParseExpand reads expand, the comma-separated relations to inline, into probs' problems
// or its columns.
func ParseExpand(m Columns, spec string, probs *problem.List) []*Column {
	return parseColumns(m, "expand", spec, probs, isRelation)
}

// parseColumns reads the column list of fields or expand. A name listed twice is a
// duplicate problem, as in sort: an answer never holds a member twice, and expanding a
// relation twice would look up an id that the first expansion replaced.
func parseColumns(m Columns, param, spec string, probs *problem.List, allowed func(*Column) bool) []*Column {
	var cols []*Column
	for _, name := range splitList(spec) {
		col, ok := m.Column(name)
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
