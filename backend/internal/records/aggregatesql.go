package records

import (
	"strconv"
	"strings"

	"forma.dev/backend/internal/query"
	"forma.dev/shared/aggregate"
	"forma.dev/shared/fieldtype"
)

// outKind is how one column of an aggregation's answer is read and written.
type outKind uint8

const (
	outString    outKind = iota // read as text, written as a JSON string
	outNumber                   // read as text (a numeric), written as the JSON number it spells
	outInt                      // a bigint
	outFloat                    // a double precision; NaN and infinities answer null
	outBool                     // a boolean
	outTimestamp                // a timestamptz, written in UTC as records are
	outHour                     // a timestamptz, written with the offset of the query's zone
)

// aggColumn is one column of an aggregation's answer: its name as a JSON key, how it
// is selected, and how it is read.
type aggColumn struct {
	key  string
	expr string
	kind outKind
}

// aggregateSQL renders an aggregation: every identifier comes from the compiled table,
// every value (the zone, filters, having) is bound. Groups are grouped and sorted by
// their ordinals. A filled aggregation (one time bucket) joins its groups to the series
// of buckets between the first and the last found, cut at the limit.
func (t *Table) aggregateSQL(agg *aggregate.Query, where []query.Condition, none bool) (string, []any, []aggColumn) {
	var a args
	tz := ""
	zone := func() string { // bound once, when a bucket needs it
		if tz == "" {
			tz = a.bind(agg.TZ)
		}
		return tz
	}
	cols := make([]aggColumn, 0, len(agg.Groups)+len(agg.Measures))
	for _, g := range agg.Groups {
		expr, kind := t.groupExpr(g, zone, agg.Fill)
		cols = append(cols, aggColumn{key: g.Name, expr: expr, kind: kind})
	}
	measures := make([]string, len(agg.Measures))
	for i, m := range agg.Measures {
		measures[i] = t.measureExpr(m)
		expr, kind := measureSelect(m, measures[i])
		cols = append(cols, aggColumn{key: m.Name, expr: expr, kind: kind})
	}
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, c := range cols {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.expr)
		if agg.Fill { // named for fillSQL
			if i == 0 {
				b.WriteString(" AS b")
			} else {
				b.WriteString(" AS m" + strconv.Itoa(i-1))
			}
		}
	}
	b.WriteString(" FROM ")
	b.WriteString(t.qualified)
	conds := make([]string, 0, len(where)+1)
	for _, c := range where {
		conds = append(conds, t.conditionSQL(c, &a))
	}
	if none {
		conds = append(conds, "FALSE")
	}
	if len(conds) > 0 {
		b.WriteString(" WHERE ")
		b.WriteString(strings.Join(conds, " AND "))
	}
	if len(agg.Groups) > 0 {
		b.WriteString(" GROUP BY ")
		b.WriteString(ordinals(len(agg.Groups)))
	}
	for i, h := range agg.Having {
		if i == 0 {
			b.WriteString(" HAVING ")
		} else {
			b.WriteString(" AND ")
		}
		b.WriteString(havingSQL(agg.Measures[h.Index], measures[h.Index], h, &a))
	}
	if agg.Fill {
		return fillSQL(agg, b.String(), tz), a, cols
	}
	b.WriteString(orderSQL(agg))
	b.WriteString(" LIMIT ")
	b.WriteString(strconv.Itoa(agg.Limit)) // written, as a list's: bounded by Parse
	return b.String(), a, cols
}

// groupExpr selects a group: the column, or the start of its time bucket. A bucket of
// a day or longer is the date, in the zone, on which it starts; an hour is an instant.
// filled: a date bucket is left a timestamp (without zone), which generate_series steps.
func (t *Table) groupExpr(g aggregate.Group, zone func() string, filled bool) (string, outKind) {
	c := t.byName[g.Field]
	switch {
	case g.Bucket == "hour":
		return "date_trunc('hour', " + c.quoted + ", " + zone() + ")", outHour
	case g.Bucket != "":
		local := c.quoted + "::timestamp"
		if g.Type == "datetime" {
			local = c.quoted + " AT TIME ZONE " + zone()
		}
		expr := "date_trunc('" + g.Bucket + "', " + local + ")"
		if filled {
			return expr, outString
		}
		return expr + "::date::text", outString
	}
	return selectAs(c.quoted, g.Answer)
}

// measureExpr is a measure's aggregate, as HAVING compares it.
func (t *Table) measureExpr(m aggregate.Measure) string {
	switch m.Op {
	case aggregate.Count:
		return "count(*)"
	case aggregate.CountDistinct:
		return "count(DISTINCT " + t.byName[m.Field].quoted + ")"
	}
	return m.Op + "(" + t.byName[m.Field].quoted + ")"
}

// measureSelect selects a measure: a sum of integers (a numeric past 64 bits) and
// decimals as their text, an average of integers as a double precision.
func measureSelect(m aggregate.Measure, expr string) (string, outKind) {
	switch {
	case m.Op == aggregate.Count || m.Op == aggregate.CountDistinct:
		return expr, outInt
	case m.Op == aggregate.Sum && m.Answer == "integer":
		return expr + "::text", outNumber
	case m.Answer == "float":
		return expr + "::float8", outFloat
	case m.Answer == "decimal":
		return expr + "::text", outString
	}
	return selectAs(expr, m.Answer)
}

// selectAs selects expr, a value of field type typ, as records read it (selectExpr).
func selectAs(expr, typ string) (string, outKind) {
	ft, _ := fieldtype.Lookup(typ)
	switch ft.Describe().Wire {
	case fieldtype.WireInteger:
		return expr, outInt
	case fieldtype.WireFloat:
		return expr, outFloat
	case fieldtype.WireBoolean:
		return expr, outBool
	case fieldtype.WireTimestamp:
		return expr, outTimestamp
	case fieldtype.WireText:
		return expr, outString
	}
	return expr + "::text", outString // text_cast; json is never grouped nor measured
}

// havingSQL compares a measure's aggregate with a bound value: a number as numeric or
// float8, as its answer is; a min or max as the field's own type.
func havingSQL(m aggregate.Measure, expr string, h aggregate.Condition, a *args) string {
	v := a.bind(h.Value)
	switch m.Answer {
	case "integer", "decimal":
		v += "::numeric"
	case "float":
		expr, v = expr+"::float8", v+"::float8"
	}
	if h.Lookup == "ne" {
		return expr + " IS DISTINCT FROM " + v
	}
	return expr + " " + havingOps[h.Lookup] + " " + v
}

var havingOps = map[string]string{"": "=", "gt": ">", "gte": ">=", "lt": "<", "lte": "<="}

// orderSQL orders by the keys asked, then by every group not among them, by ordinal.
func orderSQL(agg *aggregate.Query) string {
	var keys []string
	taken := map[int]bool{}
	for _, k := range agg.Sort {
		taken[k.Column] = true
		key := strconv.Itoa(k.Column + 1)
		if k.Desc {
			key += " DESC"
		}
		keys = append(keys, key)
	}
	for i := range agg.Groups {
		if !taken[i] {
			keys = append(keys, strconv.Itoa(i+1))
		}
	}
	if len(keys) == 0 {
		return ""
	}
	return " ORDER BY " + strings.Join(keys, ", ")
}

func ordinals(n int) string {
	parts := make([]string, n)
	for i := range parts {
		parts[i] = strconv.Itoa(i + 1)
	}
	return strings.Join(parts, ", ")
}

// bucketSteps are the intervals between the starts of two buckets.
var bucketSteps = map[string]string{"hour": "1 hour", "day": "1 day", "week": "7 days", "month": "1 month", "year": "1 year"}

// fillSQL wraps grouped, the statement of one bucket's groups, so that every bucket
// between the first and the last found answers, in the order asked, at most limit of
// them: the series is cut at limit buckets from where it starts, so a wide range never
// generates more. Counts of a bucket without rows answer 0, other measures null. The
// group of rows whose field is null answers too, sorted as Postgres sorts NULL.
//
// An hour is not always an hour from the last one's start: where a zone's offset moves
// by a fraction of an hour (Australia/Lord_Howe's half-hour summer time, the local mean
// times of old dates), the buckets after the move are off the series. So every step of
// an hour series is truncated to its bucket in zone (the placeholder of tz), and the
// buckets found are joined to the series, never dropped by it.
func fillSQL(agg *aggregate.Query, grouped, zone string) string {
	g := agg.Groups[0]
	step := "interval '" + bucketSteps[g.Bucket] + "'"
	n := strconv.Itoa(agg.Limit - 1)
	from, to, by, desc := "r.lo", "least(r.hi, r.lo + "+step+" * "+n+")", step, ""
	if len(agg.Sort) == 1 && agg.Sort[0].Desc {
		from, to, by, desc = "r.hi", "greatest(r.lo, r.hi - "+step+" * "+n+")", "-"+step, " DESC"
	}
	bucket, series := "s.b", "x.b"
	if g.Bucket == "hour" {
		series = "date_trunc('hour', x.b, " + zone + ")"
	} else {
		bucket = "s.b::date::text"
	}
	var b strings.Builder
	b.WriteString("WITH g AS (")
	b.WriteString(grouped)
	b.WriteString("), r AS (SELECT min(b) AS lo, max(b) AS hi FROM g), s AS (SELECT " + series +
		" AS b FROM r CROSS JOIN LATERAL generate_series(" + from + ", " + to + ", " + by + ") AS x(b)" +
		" UNION SELECT b FROM g WHERE b IS NOT NULL) SELECT ")
	b.WriteString(bucket)
	var nullRow strings.Builder
	nullRow.WriteString(" UNION ALL SELECT NULL")
	for i, ms := range agg.Measures {
		m := "g.m" + strconv.Itoa(i)
		b.WriteString(", ")
		if ms.Op == aggregate.Count || ms.Op == aggregate.CountDistinct {
			b.WriteString("coalesce(" + m + ", 0)")
		} else {
			b.WriteString(m)
		}
		nullRow.WriteString(", " + m)
	}
	b.WriteString(" FROM s LEFT JOIN g ON g.b = s.b")
	b.WriteString(nullRow.String())
	b.WriteString(" FROM g WHERE g.b IS NULL ORDER BY 1" + desc + " LIMIT " + strconv.Itoa(agg.Limit))
	return b.String()
}
