// Package fieldtype is the registry of field types. Each type is one small unit, in a
// file of its own, that knows its options (described as data so a UI can render forms
// for them), how to check them, how to validate and normalise a value, its Postgres
// column type, and the facts the rest of Forma needs about it as data (Description):
// the lookups it takes, whether it sorts, how it travels on the wire, its JSON Schema,
// the designer's input. Adding a type is adding one file that calls Register.
package fieldtype

import (
	"sort"

	"forma.dev/shared/problem"
)

// Options holds a field's type-specific options as decoded from JSON.
type Options map[string]any

// Type is one field type.
type Type interface {
	// Name is the type's name in definitions, e.g. "text".
	Name() string
	// Describe tells what the type is and which options it takes, as data.
	Describe() Description
	// CheckOptions reports problems that span several options (e.g. min > max). It is
	// called only after every option has passed its spec; paths are relative to "options".
	CheckOptions(o Options) problem.List
	// Compile turns valid options into the codec used on every value. It MUST NOT fail for
	// options that passed ValidateOptions.
	Compile(o Options) Codec
}

// Codec validates and normalises values of one field with fixed options.
type Codec interface {
	// Column is the Postgres column type, e.g. "varchar(3)" or "timestamptz".
	Column() string
	// Normalize validates a value decoded from JSON (nil, bool, float64 or json.Number,
	// string, []any, map[string]any) and returns its canonical form. On failure it returns
	// a problem with an empty path. nil is never passed: the caller handles absence.
	Normalize(v any) (any, *problem.Problem)
}

// Description is what a UI needs to know about a type, as data.
type Description struct {
	Name    string       `json:"name"`
	Label   string       `json:"label"`
	Help    string       `json:"help"`
	Options []OptionSpec `json:"options"`
	// Relation is true for types that need related_model.
	Relation bool `json:"relation,omitempty"`
	// Choices is false for types that cannot take choices (boolean, json, relation).
	Choices bool `json:"choices"`
	// Unique is false for types that cannot be unique or indexed (json).
	Unique bool `json:"unique"`
	// Lookups are the list filters' lookup suffixes the type takes, in AllLookups' order.
	Lookups []string `json:"lookups"`
	// Sortable is false for types a list cannot be sorted by (json).
	Sortable bool `json:"sortable"`
	Wire     Wire `json:"wire"`
	// JSON is the JSON Schema of a value, before options and choices narrow it.
	JSON  JSONSchema `json:"json"`
	Input Input      `json:"input"`

	// Measures are the aggregations' measures over a field of the type, in AllMeasures'
	// order ("count" counts rows and is never listed); a type groups when it sorts.
	Measures []string `json:"measures,omitempty"`
	// Buckets are the time buckets a group of the type may take, in AllBuckets' order.
	Buckets []string `json:"buckets,omitempty"`
}

// Kind is the kind of value an option takes.
type Kind string

// Option kinds.
const (
	KindInteger Kind = "integer" // a whole number, within Min and Max when set
	KindNumber  Kind = "number"  // any number, within Min and Max when set
	KindBoolean Kind = "boolean"
	KindString  Kind = "string"
	KindEnum    Kind = "enum"   // one of Enum
	KindRegexp  Kind = "regexp" // a string that compiles as a Go (RE2) regular expression
)

// OptionSpec describes one option of a type.
type OptionSpec struct {
	Name    string   `json:"name"`
	Kind    Kind     `json:"kind"`
	Label   string   `json:"label"`
	Help    string   `json:"help,omitempty"`
	Default any      `json:"default,omitempty"`
	Min     *float64 `json:"min,omitempty"`
	Max     *float64 `json:"max,omitempty"`
	Enum    []string `json:"enum,omitempty"`
	// Schema is the JSON Schema keyword the option sets on a value's schema, e.g.
	// "maxLength"; empty when it sets none.
	Schema string `json:"schema,omitempty"`
}

var registry = map[string]Type{}

// Register adds a type to the registry; it panics on a duplicate name (a programming error).
func Register(t Type) {
	if _, dup := registry[t.Name()]; dup {
		panic("fieldtype: duplicate type " + t.Name())
	}
	registry[t.Name()] = t
}

// Lookup returns the type with the given name.
func Lookup(name string) (Type, bool) {
	t, ok := registry[name]
	return t, ok
}

// All returns every registered type, sorted by name.
func All() []Type {
	out := make([]Type, 0, len(registry))
	for _, t := range registry {
		out = append(out, t)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name() < out[j].Name() })
	return out
}

// Describe returns the descriptions of every registered type, sorted by name.
func Describe() []Description {
	all := All()
	out := make([]Description, len(all))
	for i, t := range all {
		out[i] = t.Describe()
	}
	return out
}

func bound(f float64) *float64 { return &f }
