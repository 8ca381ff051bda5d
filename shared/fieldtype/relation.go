package fieldtype

import (
	"math"

	"forma.dev/shared/problem"
)

func init() { Register(relationType{}) }

// On-delete actions of a relation: what happens to this row when the related row goes.
const (
	OnDeleteCascade  = "cascade"  // delete this row too
	OnDeleteRestrict = "restrict" // refuse to delete the related row (the default)
	OnDeleteSetNull  = "set_null" // set this field to null; the field must not be required
)

// relationType is the id of a row of related_model: a bigint foreign key.
type relationType struct{}

var _ Type = relationType{}

func (relationType) Name() string { return "relation" }

func (relationType) Describe() Description {
	return Description{
		Name: "relation", Label: "Relation", Help: "A link to a record of another model (its id).",
		Relation: true, Unique: true, Lookups: orderedLookups(), Sortable: true, Wire: WireInteger, Measures: distinctMeasures(),
		JSON:  JSONSchema{Type: "integer", Format: "int64", Minimum: &firstID},
		Input: Input{Control: "input", HTML: "text", InputMode: "numeric", Parse: "json"},
		Options: []OptionSpec{
			{Name: "on_delete", Kind: KindEnum, Label: "On delete", Default: OnDeleteRestrict,
				Enum: []string{OnDeleteCascade, OnDeleteRestrict, OnDeleteSetNull},
				Help: "When the related record is deleted: cascade deletes this one too, restrict refuses, set_null clears this field."},
		},
	}
}

func (relationType) CheckOptions(Options) problem.List { return nil }

func (relationType) Compile(Options) Codec {
	return relationCodec{integerCodec{min: 1, max: math.MaxInt64}}
}

// firstID is the smallest id a relation can hold.
var firstID int64 = 1

// relationCodec checks a positive id; it returns an int64.
type relationCodec struct{ integerCodec }

// OnDelete returns a relation's on_delete action, "restrict" when unset.
func OnDelete(o Options) string { return o.String("on_delete", OnDeleteRestrict) }
