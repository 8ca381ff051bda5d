package openapi

import (
	"slices"
	"strings"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// field is one field of a model: its definition and what the record validator made of
// it (normalised choices and default, requiredness, automatic values).
type field struct {
	def  *schema.Field
	rec  *record.Field
	desc fieldtype.Description // of its type
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
	if _, typed := s["type"]; !typed && f.rec.Required { // json: any value but null
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
	if f.desc.Relation {
		note := "The id of a record of model " + d.RelatedModel
		if f.expand && !input {
			note += "; the record itself when the request has expand=" + d.Name
		}
		parts = append(parts, note+".")
	}
	note := f.desc.JSON.Note
	if input {
		note = f.desc.JSON.InputNote
	}
	if note != "" {
		parts = append(parts, note)
	}
	switch {
	case f.rec.AutoNow:
		parts = append(parts, "Set by Forma on every write; read-only.")
	case f.rec.AutoNowAdd:
		parts = append(parts, "Set by Forma when the record is created; read-only.")
	}
	return strings.Join(parts, " ")
}
