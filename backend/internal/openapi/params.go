package openapi

import (
	"maps"
	"strings"

	"forma.dev/backend/internal/query"
	"forma.dev/shared/schema"
)

// column is what list parameters know of a column: a system column or a field.
type column struct {
	name, typ string
	value     obj // the schema of one value in a query string
}

// columns lists the model's columns in table order: the system columns, then the fields.
func (m *model) columns() []column {
	cols := make([]column, 0, len(schema.SystemColumns)+len(m.fields))
	for _, name := range schema.SystemColumns {
		typ := schema.SystemColumnType(name)
		cols = append(cols, column{name, typ, valueSchema(typ, nil, nil, true)})
	}
	for _, f := range m.fields {
		d := f.def
		cols = append(cols, column{d.Name, d.Type, valueSchema(d.Type, d.Options, f.rec.Codec, true)})
	}
	return cols
}

// lookupDocs says what each lookup selects, after "Records whose <column> ".
var lookupDocs = map[string]string{
	"": "equals the value.", "ne": "differs from the value.", "lt": "is less than the value.",
	"lte": "is at most the value.", "gt": "is greater than the value.", "gte": "is at least the value.",
	"in":       "is one of the values (comma separated).",
	"contains": "contains the text (case-sensitive).", "icontains": "contains the text, ignoring case.",
	"startswith": "starts with the text.", "isnull": "is null (true) or is not (false).",
}

// listParameters are the query parameters of the model's list: a filter per column and
// lookup its type supports, then sort, limit, cursor, fields and expand.
func (m *model) listParameters() []any {
	params := []any{paramRef("SchemaVersion")}
	filters, names, sortable := m.filterParameters(m.view.lists)
	params = append(params, filters...)
	params = append(params,
		listParam("sort", "Sort keys, comma separated; a leading - sorts descending. id is always the last key.",
			obj{"type": "array", "uniqueItems": true, "items": obj{"type": "string", "enum": sortable}}),
		paramRef("Limit"),
		paramRef("Cursor"),
		fieldsParam(names))
	if p := m.expandParam(m.view.lists); p != nil {
		params = append(params, p)
	}
	return params
}

// fieldsParam is the fields parameter over names.
func fieldsParam(names []any) obj {
	return listParam("fields", "Return only these fields (comma separated): each record then holds just these keys.",
		obj{"type": "array", "uniqueItems": true, "items": obj{"type": "string", "enum": names}})
}

// filterParameters are a filter per column readable tells and lookup its type supports,
// with the names of those columns and their sort keys.
func (m *model) filterParameters(readable func(string) bool) (params, names, sortable []any) {
	for _, c := range m.columns() {
		if !readable(c.name) {
			continue
		}
		names = append(names, c.name)
		if query.Sortable(c.typ) {
			sortable = append(sortable, c.name, "-"+c.name)
		}
		if strings.Contains(c.name, "__") {
			continue // the list reads "a__b" as field a with lookup b: no filter reaches it
		}
		for _, lk := range query.Lookups(c.typ) {
			name := c.name
			if lk != "" {
				name += "__" + lk
			}
			if query.ListParameter(name) {
				continue // ?sort= is the sort order, not a filter on a field named sort
			}
			params = append(params, filterParam(name, lk, c))
		}
	}
	return params, names, sortable
}

// pageParameters are the query parameters of the model's list route: listParameters
// and, unless a field named total keeps ?total= as its filter (records.TotalParam),
// total.
func (m *model) pageParameters() []any {
	params := m.listParameters()
	if !m.hasField("total") {
		params = append(params, paramRef("Total"))
	}
	return params
}

// hasField tells whether the model has a field of this name.
func (m *model) hasField(name string) bool {
	for _, f := range m.fields {
		if f.def.Name == name {
			return true
		}
	}
	return false
}

// filterParam is the query parameter of one lookup on one column.
func filterParam(name, lk string, c column) obj {
	var s obj
	switch lk {
	case "contains", "icontains", "startswith":
		s = obj{"type": "string"}
	case "isnull":
		s = obj{"type": "boolean"}
	case "in":
		p := listParam(name, "", obj{"type": "array", "items": maps.Clone(c.value)})
		p["description"] = "Records whose " + c.name + " " + lookupDocs[lk]
		return p
	default:
		s = maps.Clone(c.value)
	}
	return obj{"name": name, "in": "query", "schema": s, "description": "Records whose " + c.name + " " + lookupDocs[lk]}
}

// listParam is a query parameter holding a comma-separated list.
func listParam(name, description string, s obj) obj {
	p := obj{"name": name, "in": "query", "style": "form", "explode": false, "schema": s}
	if description != "" {
		p["description"] = description
	}
	return p
}

// expandParam is the expand parameter over the relations readable tells, or nil when
// there is none.
func (m *model) expandParam(readable func(string) bool) obj {
	var rels []any
	for _, f := range m.fields {
		if f.desc.Relation && readable(f.def.Name) && (m.view == nil || f.expand) {
			rels = append(rels, f.def.Name)
		}
	}
	if len(rels) == 0 {
		return nil
	}
	return listParam("expand", "Replace these relations' ids with the related records (comma separated).",
		obj{"type": "array", "uniqueItems": true, "items": obj{"type": "string", "enum": rels}})
}
