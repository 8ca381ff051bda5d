package schema

import (
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
)

// Resolved is a field with its type looked up, its options compiled and its default and
// choices normalised: what validation, the hash and the planner work from.
type Resolved struct {
	// Type is nil when the field's type is unknown.
	Type fieldtype.Type
	// Desc describes Type (zero when Type is nil).
	Desc fieldtype.Description
	// Options are the problems of the field's options (paths relative to "options").
	Options problem.List
	// Codec is nil when the type is unknown or the options are invalid.
	Codec fieldtype.Codec
	// Column is the Postgres column type, "" without a codec.
	Column string
	// Default is the normalised default, or the raw one when it does not normalise.
	Default any
	// Choices are the normalised choices; a choice that does not normalise stays raw.
	Choices []any
	// OnDelete is a relation's on_delete action ("" for other types).
	OnDelete string
}

// Resolve looks up a field's type and compiles its options and values.
func Resolve(f Field) Resolved {
	r := Resolved{Default: f.Default, Choices: f.Choices}
	t, ok := fieldtype.Lookup(f.Type)
	if !ok {
		return r
	}
	r.Type, r.Desc = t, t.Describe()
	opts := f.Options
	if opts == nil {
		opts = fieldtype.Options{}
	}
	if r.Options = fieldtype.ValidateOptions(t, opts); len(r.Options) > 0 {
		return r
	}
	r.Codec = t.Compile(opts)
	r.Column = r.Codec.Column()
	if r.Desc.Relation {
		r.OnDelete = fieldtype.OnDelete(opts)
	}
	if f.Default != nil {
		if v, p := r.Codec.Normalize(f.Default); p == nil {
			r.Default = v
		}
	}
	if len(f.Choices) > 0 {
		r.Choices = make([]any, len(f.Choices))
		for i, c := range f.Choices {
			r.Choices[i] = c
			if c == nil {
				continue
			}
			if v, p := r.Codec.Normalize(c); p == nil {
				r.Choices[i] = v
			}
		}
	}
	return r
}
