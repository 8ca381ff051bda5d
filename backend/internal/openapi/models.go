package openapi

import (
	"fmt"
	"strings"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// model is one model prepared for the document.
type model struct {
	def    *schema.Model
	fields []field
	// view is what the document's role may do on the model; nil: everything.
	view *view
}

// newModel compiles m's fields with the record validator; known holds the names of
// every model in the document (the relations that can be expanded).
func newModel(m *schema.Model, known map[string]bool) (*model, error) {
	v, err := record.Compile(*m)
	if err != nil {
		return nil, fmt.Errorf("openapi: model %s: %w", m.Name, err)
	}
	recs := v.Fields()
	out := &model{def: m, fields: make([]field, len(m.Fields))}
	for i := range m.Fields {
		d := &m.Fields[i]
		f := field{def: d, rec: &recs[i]}
		if t, ok := fieldtype.Lookup(d.Type); ok {
			f.desc = t.Describe()
		}
		f.expand = f.desc.Relation && known[d.RelatedModel]
		out.fields[i] = f
	}
	return out, nil
}

// Component names. A model's read schema is named as the model with its first letter
// in upper case ("order_item" → "Order_item"); its other schemas add a suffix that
// starts with an upper-case letter. Model names are lower case, so no two of these can
// collide, nor with the shared schemas, which have an upper-case letter inside.
func modelName(m string) string { return strings.ToUpper(m[:1]) + m[1:] }
func inputName(m string) string { return modelName(m) + "Input" }
func patchName(m string) string { return modelName(m) + "Patch" }
func listName(m string) string  { return modelName(m) + "List" }

// addSchemas adds the model's schemas to the components.
func (m *model) addSchemas(schemas obj) {
	n := m.def.Name
	schemas[modelName(n)] = m.readSchema()
	schemas[inputName(n)] = m.writeSchema(true)
	schemas[patchName(n)] = m.writeSchema(false)
	schemas[listName(n)] = obj{
		"type":     "object",
		"title":    "A page of " + n + " records",
		"required": []any{"data", "next_cursor"},
		"properties": obj{
			"data": obj{"type": "array", "items": schemaRef(modelName(n))},
			"next_cursor": obj{"type": []any{"string", "null"},
				"description": "Pass as ?cursor= (with the same filters and sort) for the next page; null on the last page."},
			"total": obj{"type": "integer", "format": "int64", "minimum": 0,
				"description": "With ?total=true: how many records the filters select, whatever the page."},
			"total_estimated": obj{"type": "boolean",
				"description": "With ?total=true: true when total is the database planner's estimate rather than a count (there are more records than the server counts exactly)."},
		},
	}
}

// readSchema is a record as Forma returns it: the system columns, then every field;
// every key is present (unless the list request chose fields).
func (m *model) readSchema() obj {
	props := obj{
		schema.ColumnID: obj{"type": "integer", "format": "int64", "minimum": 1, "readOnly": true,
			"description": "The record's id, assigned by Forma."},
		schema.ColumnCreatedAt: obj{"type": "string", "format": "date-time", "readOnly": true,
			"description": "When the record was created, RFC 3339 in UTC."},
		schema.ColumnUpdatedAt: obj{"type": "string", "format": "date-time", "readOnly": true,
			"description": "When the record was last written, RFC 3339 in UTC; the ETag follows it."},
	}
	required := make([]any, 0, len(schema.SystemColumns)+len(m.fields))
	for _, c := range schema.SystemColumns {
		required = append(required, c)
	}
	for _, f := range m.fields {
		props[f.def.Name] = f.schema(false)
		required = append(required, f.def.Name)
	}
	if m.view != nil {
		kept := required[:0]
		for _, name := range required {
			n := name.(string)
			if m.view.answersAlways(n) {
				kept = append(kept, n)
			}
			if !m.view.reads(n) {
				delete(props, n)
			}
		}
		required = kept
	}
	return m.describe(obj{"type": "object", "properties": props, "required": required})
}

// writeSchema is the body of a create or PUT (full: required fields without a default
// must be present) or of a PATCH. Automatic fields and system columns are read-only.
func (m *model) writeSchema(full bool) obj {
	props := obj{}
	var required []any
	for _, f := range m.fields {
		if f.auto() || !m.view.writes(f.def.Name) {
			continue
		}
		prop := f.schema(true)
		if !full {
			delete(prop, "default") // a PATCH leaves absent fields as they are
		}
		props[f.def.Name] = prop
		if full && f.rec.Required && !f.rec.HasDefault {
			required = append(required, f.def.Name)
		}
	}
	s := obj{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return m.describe(s)
}

// describe sets a schema's title and description from the model's label and description.
func (m *model) describe(s obj) obj {
	if m.def.Label != "" {
		s["title"] = m.def.Label
	}
	if d := strings.TrimSpace(m.def.Description); d != "" {
		s["description"] = d
	}
	return s
}
