// Package record validates and normalises records of a model: the values an app sends
// to create, replace or patch a row, checked with the same codes the browser shows.
package record

import (
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// Mode is the kind of write a record is validated for.
type Mode int

// Modes of Validate.
const (
	// Create is a new record: required fields must be present or have a default; absent
	// fields are left out so the column default (or NULL) applies.
	Create Mode = iota
	// Replace is a full update (PUT): absent fields become their default, or NULL.
	Replace
	// Patch is a partial update: only the fields present are checked and written.
	Patch
)

// Field is what the validator knows about one field, compiled once.
type Field struct {
	// Name is the field's name, which is also its column name.
	Name string
	// Type is the field type's name, e.g. "text".
	Type string
	// Codec validates and normalises values of the field (and tells its column type).
	Codec fieldtype.Codec
	// Required fields refuse null and, on create and replace, absence without a default.
	Required bool
	// Default is the normalised default; HasDefault tells whether there is one.
	Default    any
	HasDefault bool
	// Choices are the normalised choices; empty when any value is allowed.
	Choices []any
	// AutoNow fields are set by the backend on every write (create and update);
	// AutoNowAdd fields on create only. Apps cannot write either.
	AutoNow, AutoNowAdd bool

	choiceSet map[any]struct{}
}

// Validator checks records of one model; it is immutable and safe for concurrent use.
type Validator struct {
	model   string
	fields  []Field
	byName  map[string]int
	columns []string
}

// Compile prepares a validator for a model that has already passed schema validation.
// It fails only when the model is not valid after all (unknown type, bad options,
// choices or default that do not fit the type).
func Compile(m schema.Model) (*Validator, error) {
	v := &Validator{model: m.Name, fields: make([]Field, len(m.Fields)), byName: make(map[string]int, len(m.Fields))}
	v.columns = append(v.columns, schema.SystemColumns...)
	var list problem.List
	for i, f := range m.Fields {
		prefix := problem.Index("fields", i)
		cf, more := compileField(f)
		list.Append(prefix, more)
		v.fields[i] = cf
		v.byName[f.Name] = i
		v.columns = append(v.columns, f.Name)
	}
	if len(list) > 0 {
		return nil, list
	}
	return v, nil
}

func compileField(f schema.Field) (Field, problem.List) {
	out := Field{Name: f.Name, Type: f.Type, Required: f.Required}
	t, ok := fieldtype.Lookup(f.Type)
	if !ok {
		return out, problem.List{problem.New("type", problem.UnknownType, map[string]any{"type": f.Type})}
	}
	var list problem.List
	list.Append("options", fieldtype.ValidateOptions(t, f.Options))
	if len(list) > 0 {
		return out, list
	}
	out.Codec = t.Compile(f.Options)
	out.AutoNow, out.AutoNowAdd = fieldtype.IsAuto(f.Type, f.Options)
	if f.Default != nil {
		d, p := out.Codec.Normalize(f.Default)
		if p != nil {
			list.Append("default", problem.List{*p})
		}
		out.Default, out.HasDefault = d, true
	}
	if len(f.Choices) > 0 {
		choices, more := fieldtype.NormalizeChoices(out.Codec, f.Choices)
		list.Append("choices", more)
		out.Choices = choices
		out.choiceSet = make(map[any]struct{}, len(choices))
		for _, c := range choices {
			if isScalar(c) {
				out.choiceSet[c] = struct{}{}
			}
		}
		if out.HasDefault && len(list) == 0 {
			if _, p := out.normalize(out.Default); p != nil {
				list.Append("default", problem.List{*p})
			}
		}
	}
	return out, list
}

// isScalar tells whether a normalised value can be a map key (and so a choice).
func isScalar(v any) bool {
	switch v.(type) {
	case string, int64, float64, bool:
		return true
	}
	return false
}

// Model is the name of the model the validator checks.
func (v *Validator) Model() string { return v.model }

// Fields returns the model's fields in definition (and column) order; do not modify them.
func (v *Validator) Fields() []Field { return v.fields }

// Field returns the field with the given name.
func (v *Validator) Field(name string) (*Field, bool) {
	i, ok := v.byName[name]
	if !ok {
		return nil, false
	}
	return &v.fields[i], true
}

// Columns returns every column of the table in order: the system columns (id,
// created_at, updated_at), then the fields; do not modify it.
func (v *Validator) Columns() []string { return v.columns }

// AutoNow returns the names of the fields the backend sets to the current time on every
// write (create and update).
func (v *Validator) AutoNow() []string { return v.names(func(f *Field) bool { return f.AutoNow }) }

// AutoNowAdd returns the names of the fields the backend sets to the current time on create.
func (v *Validator) AutoNowAdd() []string {
	return v.names(func(f *Field) bool { return f.AutoNowAdd })
}

func (v *Validator) names(keep func(*Field) bool) []string {
	var out []string
	for i := range v.fields {
		if keep(&v.fields[i]) {
			out = append(out, v.fields[i].Name)
		}
	}
	return out
}
