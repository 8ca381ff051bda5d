// Package aggregate is the query language of aggregations (GET /data/{model}/aggregate):
// its groups (group_by, with time buckets of dates), measures, having, sort, limit, tz
// and fill, read from a query string against a model and checked with the facts of its
// fields' types (fieldtype.Description's Measures and Buckets). The server and the
// designer (through wasm) run it, so they find the same problems. The filters of an
// aggregation are the list's own: every other parameter is one, and this package does
// not read them (Filters hands them over).
package aggregate

import (
	"net/url"
	"slices"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

// Bounds of an aggregation.
const (
	DefaultLimit = 100
	MaxLimit     = 10000
	MaxGroups    = 8
	MaxMeasures  = 32
	MaxHaving    = 32
	// DefaultTZ is the zone of time buckets when tz is not given.
	DefaultTZ = "UTC"
)

// The measures. Count counts rows and takes no field; the others take one.
const (
	Count         = "count"
	CountDistinct = "count_distinct"
	Sum           = "sum"
	Avg           = "avg"
	Min           = "min"
	Max           = "max"
)

// Parameters are the query parameters of an aggregation that are not filters.
var Parameters = []string{"group_by", "measures", "having", "sort", "limit", "tz", "fill"}

// IsParameter tells whether name is one of Parameters rather than a filter.
func IsParameter(name string) bool { return slices.Contains(Parameters, name) }

// Filters returns the parameters of q that are filters (or not an aggregation's at all),
// for the list's filter parser.
func Filters(q url.Values) url.Values {
	out := make(url.Values, len(q))
	for k, v := range q {
		if !IsParameter(k) {
			out[k] = v
		}
	}
	return out
}

// Query is a parsed, validated aggregation.
type Query struct {
	Groups   []Group     `json:"groups"`
	Measures []Measure   `json:"measures"`
	Having   []Condition `json:"having"`
	Sort     []SortKey   `json:"sort"`
	Limit    int         `json:"limit"`
	// TZ is the IANA name of the zone in which datetime buckets start.
	TZ   string `json:"tz"`
	Fill bool   `json:"fill"`
}

// Group is one group: a field, or a time bucket of a date or datetime field.
type Group struct {
	// Name is its name in the answer: the field's, or "field__bucket".
	Name   string `json:"name"`
	Field  string `json:"field"`
	Type   string `json:"type"`             // the field's type
	Bucket string `json:"bucket,omitempty"` // "hour", "day", "week", "month", "year"; "" for none
	// Answer is how its values are answered: the field's type, "date" for the buckets
	// of a day or longer, "datetime" for hours.
	Answer string `json:"answer"`
}

// Measure is one measure.
type Measure struct {
	// Name is its name in the answer: "count", or "op_field" (sum_value).
	Name  string `json:"name"`
	Op    string `json:"op"`
	Field string `json:"field,omitempty"` // "" for count
	Type  string `json:"type,omitempty"`  // the field's type
	// Answer is the type of its values: "integer" for counts and sums of integers (a sum
	// may pass 64 bits: it stays exact), "float", "decimal" (a string, exact), or the
	// field's type for min and max.
	Answer string `json:"answer"`
}

// Condition is one condition of having: a measure compared with a value.
type Condition struct {
	Measure string `json:"measure"` // its name
	Index   int    `json:"index"`   // its place in Query.Measures
	// Lookup is "" (equality), "ne", "gt", "gte", "lt" or "lte".
	Lookup string `json:"lookup"`
	// Value is normalised for the measure's answer: a number as its decimal text for
	// integer, float and decimal answers (bound as numeric or float8), else a value as
	// the field's type normalises it.
	Value any `json:"value"`
}

// SortKey is one key of the order: a group's or a measure's name.
type SortKey struct {
	Name string `json:"name"`
	Desc bool   `json:"desc,omitempty"`
	// Column is its place among the answer's columns, groups then measures (0-based).
	Column int `json:"column"`
}

// Columns is the answer's columns, groups then measures, as (name, answer type).
func (q *Query) Columns() [][2]string {
	out := make([][2]string, 0, len(q.Groups)+len(q.Measures))
	for _, g := range q.Groups {
		out = append(out, [2]string{g.Name, g.Answer})
	}
	for _, m := range q.Measures {
		out = append(out, [2]string{m.Name, m.Answer})
	}
	return out
}

// fieldOf is a model's field or system column by name, and the description of its type.
type fieldOf struct {
	name string
	typ  string
	opts fieldtype.Options
	desc fieldtype.Description
}

func lookupField(m *schema.Model, name string) (fieldOf, bool) {
	typ, opts := schema.SystemColumnType(name), fieldtype.Options(nil)
	if typ == "" {
		for _, f := range m.Fields {
			if f.Name == name {
				typ, opts = f.Type, f.Options
				break
			}
		}
	}
	t, ok := fieldtype.Lookup(typ)
	if !ok {
		return fieldOf{}, false
	}
	return fieldOf{name: name, typ: typ, opts: opts, desc: t.Describe()}, true
}
