package aggregate

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Parse reads an aggregation's parameters of q (Parameters; the filters are not read)
// against model m, its system columns included. Every problem is reported at once, at
// the parameter's name. group_by, measures, having and sort may be repeated, their
// lists joined; limit, tz and fill may be given once.
func Parse(m schema.Model, q url.Values) (Query, problem.List) {
	var probs problem.List
	for _, k := range [...]string{"limit", "tz", "fill"} {
		if len(q[k]) > 1 {
			probs.Add(k, problem.Duplicate, map[string]any{"name": k})
		}
	}
	agg := Query{Limit: DefaultLimit, TZ: DefaultTZ}
	agg.Groups = parseGroups(&m, splitList(q["group_by"]), &probs)
	agg.Measures = parseMeasures(&m, splitList(q["measures"]), &probs)
	for _, g := range agg.Groups {
		if slices.ContainsFunc(agg.Measures, func(x Measure) bool { return x.Name == g.Name }) {
			probs.Add("measures", problem.Duplicate, map[string]any{"name": g.Name})
		}
	}
	agg.Having = parseHaving(agg.Measures, splitList(q["having"]), &probs)
	agg.Sort = parseSort(&agg, splitList(q["sort"]), &probs)
	if v, ok := first(q, "limit"); ok {
		n, err := strconv.Atoi(v)
		switch {
		case err != nil && !allDigits(strings.TrimPrefix(v, "+")):
			probs.Add("limit", problem.InvalidType, map[string]any{"expected": "a whole number"})
		case err != nil || n > MaxLimit:
			probs.Add("limit", problem.Max, map[string]any{"max": MaxLimit})
		case n < 1:
			probs.Add("limit", problem.Min, map[string]any{"min": 1})
		default:
			agg.Limit = n
		}
	}
	if v, ok := first(q, "tz"); ok {
		if !KnownZone(v) {
			probs.Add("tz", problem.UnknownTimezone, map[string]any{"name": clip(v)})
		} else {
			agg.TZ = v
		}
	}
	if v, ok := first(q, "fill"); ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			probs.Add("fill", problem.InvalidType, map[string]any{"expected": "true or false"})
		}
		agg.Fill = b
	}
	if agg.Fill {
		checkFill(&agg, &probs)
	}
	return agg, probs
}

// checkFill: buckets are filled between the first and the last bucket found, of the
// only group, which must be a time bucket; the order is that bucket's and no having
// may drop buckets that filling would then bring back.
func checkFill(agg *Query, probs *problem.List) {
	switch {
	case len(agg.Groups) != 1 || agg.Groups[0].Bucket == "":
		probs.Add("fill", problem.InvalidValue, map[string]any{"reason": "fill needs group_by to be one time bucket (e.g. timestamp__day)"})
	case len(agg.Having) > 0:
		probs.Add("fill", problem.InvalidValue, map[string]any{"reason": "fill cannot be combined with having"})
	case len(agg.Sort) > 1 || len(agg.Sort) == 1 && agg.Sort[0].Column != 0:
		probs.Add("fill", problem.InvalidValue, map[string]any{"reason": "fill sorts by its bucket only"})
	}
}

func parseGroups(m *schema.Model, items []string, probs *problem.List) []Group {
	if len(items) > MaxGroups {
		probs.Add("group_by", problem.MaxItems, map[string]any{"max": MaxGroups})
		return nil
	}
	var out []Group
	for _, item := range items {
		name, bucket, hasBucket := strings.Cut(item, "__")
		f, ok := lookupField(m, name)
		switch {
		case !ok:
			probs.Add("group_by", problem.UnknownField, map[string]any{"name": clip(name)})
			continue
		case hasBucket && !slices.Contains(f.desc.Buckets, bucket): // "country__" too
			probs.Add("group_by", problem.BucketNotAllowed, map[string]any{"bucket": clip(bucket), "type": f.typ})
			continue
		case !f.desc.Sortable:
			probs.Add("group_by", problem.NotAllowed, map[string]any{"attribute": "grouping by " + name})
			continue
		case slices.ContainsFunc(out, func(g Group) bool { return g.Name == item }):
			probs.Add("group_by", problem.Duplicate, map[string]any{"name": item})
			continue
		}
		g := Group{Name: item, Field: name, Type: f.typ, Bucket: bucket, Answer: f.typ}
		switch {
		case bucket == "hour":
			g.Answer = "datetime"
		case bucket != "":
			g.Answer = "date"
		}
		out = append(out, g)
	}
	return out
}

func parseMeasures(m *schema.Model, items []string, probs *problem.List) []Measure {
	if len(items) == 0 {
		return []Measure{{Name: Count, Op: Count, Answer: "integer"}}
	}
	if len(items) > MaxMeasures {
		probs.Add("measures", problem.MaxItems, map[string]any{"max": MaxMeasures})
		return nil
	}
	var out []Measure
	for _, item := range items {
		op, name, hasField := strings.Cut(item, ":")
		var ms Measure
		switch {
		case op == Count && !hasField:
			ms = Measure{Name: Count, Op: Count, Answer: "integer"}
		case !hasField || !slices.Contains(fieldtype.AllMeasures(), op):
			probs.Add("measures", problem.UnknownMeasure, map[string]any{"measure": clip(op)})
			continue
		default:
			f, ok := lookupField(m, name)
			if !ok {
				probs.Add("measures", problem.UnknownField, map[string]any{"name": clip(name)})
				continue
			}
			if !slices.Contains(f.desc.Measures, op) {
				probs.Add("measures", problem.MeasureNotAllowed, map[string]any{"measure": op, "type": f.typ})
				continue
			}
			ms = Measure{Name: op + "_" + name, Op: op, Field: name, Type: f.typ, Answer: answerOf(op, f.typ)}
		}
		if slices.ContainsFunc(out, func(x Measure) bool { return x.Name == ms.Name }) {
			probs.Add("measures", problem.Duplicate, map[string]any{"name": ms.Name})
			continue
		}
		out = append(out, ms)
	}
	return out
}

// answerOf is the type of a measure's values over a field of type typ.
func answerOf(op, typ string) string {
	switch {
	case op == CountDistinct:
		return "integer"
	case op == Avg && typ == "integer":
		return "float"
	}
	return typ // sum and avg keep their type; min and max answer the field's values
}

// comparisons are the lookups of having, with "" for equality.
var comparisons = []string{"", "ne", "gt", "gte", "lt", "lte"}

func parseHaving(measures []Measure, items []string, probs *problem.List) []Condition {
	if len(items) > MaxHaving {
		probs.Add("having", problem.MaxItems, map[string]any{"max": MaxHaving})
		return nil
	}
	var out []Condition
	for _, item := range items {
		key, raw, ok := strings.Cut(item, ":")
		if !ok {
			probs.Add("having", problem.InvalidFormat, map[string]any{"format": "measure[__lookup]:value, e.g. sum_value__gt:100"})
			continue
		}
		name, lookup, hasLookup := strings.Cut(key, "__")
		i := slices.IndexFunc(measures, func(x Measure) bool { return x.Name == name })
		switch {
		case i < 0:
			probs.Add("having", problem.UnknownName, map[string]any{"name": clip(name)})
			continue
		case (hasLookup && lookup == "") || !slices.Contains(comparisons, lookup): // "count__:5" is not equality
			probs.Add("having", problem.UnknownLookup, map[string]any{"lookup": clip(lookup)})
			continue
		}
		v, p := havingValue(measures[i], raw)
		if p != nil {
			p.Path = "having"
			*probs = append(*probs, *p)
			continue
		}
		out = append(out, Condition{Measure: name, Index: i, Lookup: lookup, Value: v})
	}
	return out
}

// havingValue normalises a having value for what measure m answers.
func havingValue(m Measure, raw string) (any, *problem.Problem) {
	switch m.Answer {
	case "integer":
		if !wholeNumber(raw) {
			p := problem.New("", problem.InvalidType, map[string]any{"expected": "a whole number"})
			return nil, &p
		}
		return strings.TrimPrefix(raw, "+"), nil
	case "float", "decimal":
		if !plainNumber(raw) {
			p := problem.New("", problem.InvalidType, map[string]any{"expected": "a number"})
			return nil, &p
		}
		return raw, nil
	}
	t, _ := fieldtype.Lookup(m.Answer)
	return fromQuery(t.Compile(nil), raw)
}

// fromQuery normalises a query-string value with a codec: a query string has only
// strings, so one the codec refuses as a string is retried as the JSON number it spells.
func fromQuery(c fieldtype.Codec, raw string) (any, *problem.Problem) {
	v, p := c.Normalize(raw)
	if p != nil && p.Code == problem.InvalidType && plainNumber(raw) {
		v, p = c.Normalize(jsonNumber(raw))
	}
	return v, p
}

// MaxSort bounds the sort keys: each group and measure once.
const MaxSort = MaxGroups + MaxMeasures

func parseSort(agg *Query, items []string, probs *problem.List) []SortKey {
	if len(items) > MaxSort { // before the names: a long query string is one problem, not one a key
		probs.Add("sort", problem.MaxItems, map[string]any{"max": MaxSort})
		return nil
	}
	var out []SortKey
	for _, item := range items {
		k := SortKey{Name: strings.TrimPrefix(item, "-"), Desc: strings.HasPrefix(item, "-")}
		k.Column = slices.IndexFunc(agg.Groups, func(g Group) bool { return g.Name == k.Name })
		if k.Column < 0 {
			if i := slices.IndexFunc(agg.Measures, func(x Measure) bool { return x.Name == k.Name }); i >= 0 {
				k.Column = len(agg.Groups) + i
			}
		}
		switch {
		case k.Column < 0:
			probs.Add("sort", problem.UnknownName, map[string]any{"name": clip(k.Name)})
		case slices.ContainsFunc(out, func(x SortKey) bool { return x.Name == k.Name }):
			probs.Add("sort", problem.Duplicate, map[string]any{"name": k.Name})
		default:
			out = append(out, k)
		}
	}
	return out
}
