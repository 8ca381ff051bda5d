package openapi

import (
	"net/url"
	"strings"

	"forma.dev/shared/aggregate"
	"forma.dev/shared/fieldtype"
)

// aggregateOp answers groups and measures over the records the list's filters select
// (package aggregate). Its answer lists every group and measure the role may ask for,
// typed as shared/aggregate answers them.
func (m *model) aggregateOp() obj {
	n := m.def.Name
	var params []any
	for _, p := range m.listParameters() {
		if p, ok := p.(obj); ok && (p["name"] == "sort" || p["name"] == "fields" || p["name"] == "expand" ||
			p["$ref"] == paramRef("Limit")["$ref"] || p["$ref"] == paramRef("Cursor")["$ref"]) {
			continue
		}
		params = append(params, p)
	}
	groups, measures, props := m.aggregateNames()
	params = append(params,
		listParam("group_by", "Group by these fields (comma separated); a date or datetime field by the start of its hour, day, week (Monday), month or year as field__day.",
			obj{"type": "array", "uniqueItems": true, "maxItems": aggregate.MaxGroups, "items": obj{"type": "string", "enum": groups}}),
		listParam("measures", "Measures (comma separated), answered as count, or op_field (sum:value as sum_value). Default: count.",
			obj{"type": "array", "uniqueItems": true, "maxItems": aggregate.MaxMeasures, "items": obj{"type": "string", "enum": measures}}),
		listParam("having", "Conditions on measures asked for (comma separated): name[__lookup]:value with lookup gt, gte, lt, lte or ne (none: equal), e.g. sum_value__gt:100.",
			obj{"type": "array", "maxItems": aggregate.MaxHaving, "items": obj{"type": "string", "pattern": `^[a-z][a-z0-9_]*(__(gt|gte|lt|lte|ne))?:`}}),
		listParam("sort", "Order by groups or measures asked for (comma separated); a leading - sorts descending. The groups not named follow, ascending.",
			obj{"type": "array", "uniqueItems": true, "items": obj{"type": "string"}}),
		obj{"name": "limit", "in": "query", "description": "Rows answered at most.",
			"schema": obj{"type": "integer", "minimum": 1, "maximum": aggregate.MaxLimit, "default": aggregate.DefaultLimit}},
		obj{"name": "tz", "in": "query", "description": "The IANA time zone in which datetime buckets start (a day in Europe/Warsaw starts at its midnight).",
			"schema": obj{"type": "string", "default": aggregate.DefaultTZ}, "example": "Europe/Warsaw"},
		obj{"name": "fill", "in": "query", "description": "With one group, a time bucket: answer the buckets without rows too (counts 0, other measures null), from the first bucket found to the last, at most limit of them.",
			"schema": obj{"type": "boolean", "default": false}},
	)
	row := obj{"type": "object", "description": "One group: the groups and measures asked for, by name.", "properties": props}
	ok := recordResponse("The groups, in the order asked.", obj{"type": "object", "required": []any{"data"},
		"properties": obj{"data": obj{"type": "array", "items": row}}}, false)
	return m.op("aggregate_", "Aggregate "+n+" records", params, obj{"200": ok}, "400")
}

// aggregateNames lists the groups and measures the role may ask for, and the schema of
// each as an answer's property, from what shared/aggregate makes of each column.
func (m *model) aggregateNames() (groups, measures []any, props obj) {
	measures, props = []any{aggregate.Count}, obj{aggregate.Count: obj{"type": "integer", "minimum": 0}}
	for _, c := range m.columns() {
		if !m.view.lists(c.name) || strings.Contains(c.name, "__") {
			continue
		}
		t, _ := fieldtype.Lookup(c.typ)
		d := t.Describe()
		var gs, ms []string
		if d.Sortable {
			gs = append(gs, c.name)
		}
		for _, b := range d.Buckets {
			gs = append(gs, c.name+"__"+b)
		}
		for _, op := range d.Measures {
			ms = append(ms, op+":"+c.name)
		}
		agg, probs := aggregate.Parse(*m.def, url.Values{"group_by": {strings.Join(gs, ",")}, "measures": {strings.Join(ms, ",")}})
		if len(probs) > 0 {
			continue // not a column an aggregation takes (a name that is not a field's)
		}
		if len(ms) == 0 {
			agg.Measures = nil // the default count, listed once above
		}
		for _, g := range agg.Groups {
			groups = append(groups, g.Name)
			props[g.Name] = nullable(answerSchema(g.Answer))
		}
		for _, ms := range agg.Measures {
			measures = append(measures, ms.Op+":"+ms.Field)
			switch {
			case ms.Op == aggregate.CountDistinct:
				props[ms.Name] = obj{"type": "integer", "minimum": 0}
			case ms.Op == aggregate.Sum && ms.Answer == "integer":
				props[ms.Name] = nullable(obj{"type": "integer", "description": "Exact: a sum may pass 64 bits."})
			default:
				props[ms.Name] = nullable(answerSchema(ms.Answer)) // null over no rows
			}
		}
	}
	return groups, measures, props
}

// answerSchema is the schema of a group's or measure's non-null value of answer type a.
func answerSchema(a string) obj {
	switch a {
	case "integer":
		return obj{"type": "integer"}
	case "float":
		return obj{"type": "number", "format": "double"}
	case "decimal":
		return obj{"type": "string", "pattern": `^-?[0-9]+(\.[0-9]+)?$`, "description": "An exact decimal number."}
	case "datetime":
		return obj{"type": "string", "format": "date-time"}
	}
	return valueSchema(a, nil, nil, false)
}
