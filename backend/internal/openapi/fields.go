package openapi

import (
	"slices"
	"strings"

	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// field is one field of a model: its definition and what the record validator made of
// it (normalised choices and default, requiredness, automatic values).
type field struct {
	def *schema.Field
	rec *record.Field
	// expand is true for a relation whose related model is in the document.
	expand bool
}

// auto tells whether Forma sets the field itself (auto_now or auto_now_add).
func (f field) auto() bool { return f.rec.AutoNow || f.rec.AutoNowAdd }

// schema is the field's schema as read (input false) or written.
func (f field) schema(input bool) obj {
	d := f.def
	s := valueSchema(d.Type, d.Options, f.rec.Codec, input)
	if len(f.rec.Choices) > 0 {
		s["enum"] = slices.Clone(f.rec.Choices)
	}
	if d.Type == "json" && f.rec.Required {
		s["not"] = obj{"type": "null"}
	}
	if !f.rec.Required {
		s = nullable(s)
	}
	if f.expand && !input {
		s = expandable(s, d.RelatedModel)
	}
	if d.Label != "" {
		s["title"] = d.Label
	}
	if text := f.description(input); text != "" {
		s["description"] = text
	}
	if input && f.rec.HasDefault && f.rec.Default != nil {
		s["default"] = f.rec.Default
	}
	if !input && f.auto() {
		s["readOnly"] = true
	}
	return s
}

// nullable lets s also be null: "type" gains "null" (3.1 style) and "enum" gains null.
// A schema without a type (json) allows null already.
func nullable(s obj) obj {
	t, ok := s["type"].(string)
	if !ok {
		return s
	}
	s["type"] = []any{t, "null"}
	if enum, ok := s["enum"].([]any); ok {
		s["enum"] = append(enum, nil)
	}
	return s
}

// expandable is a relation as read: the related record's id or, when the request asked
// for ?expand=<field>, the related record itself.
func expandable(id obj, related string) obj {
	branches := []any{id, schemaRef(modelName(related))}
	if t, ok := id["type"].([]any); ok { // nullable: the null moves to a branch of its own
		id["type"] = t[0]
		branches = append(branches, obj{"type": "null"})
	}
	return obj{"oneOf": branches}
}

// description joins the field's description and help with what its type means on the wire.
func (f field) description(input bool) string {
	d := f.def
	var parts []string
	for _, s := range []string{d.Description, d.Help} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	switch d.Type {
	case "relation":
		note := "The id of a record of model " + d.RelatedModel
		if f.expand && !input {
			note += "; the record itself when the request has expand=" + d.Name
		}
		parts = append(parts, note+".")
	case "decimal":
		if input {
			parts = append(parts, "A decimal number as a string (a JSON number is accepted too), rounded to the field's scale.")
		} else {
			parts = append(parts, "A decimal number as a string with exactly the field's scale of decimals.")
		}
	case "datetime":
		if !input {
			parts = append(parts, "RFC 3339, in UTC.")
		}
	case "time":
		parts = append(parts, "A time of day without time zone.")
	}
	switch {
	case f.rec.AutoNow:
		parts = append(parts, "Set by Forma on every write; read-only.")
	case f.rec.AutoNowAdd:
		parts = append(parts, "Set by Forma when the record is created; read-only.")
	}
	return strings.Join(parts, " ")
}
