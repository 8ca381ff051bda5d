package fieldtype

import "forma.dev/shared/problem"

func init() { Register(booleanType{}) }

// booleanType is true or false.
type booleanType struct{}

var _ Type = booleanType{}

func (booleanType) Name() string { return "boolean" }

func (booleanType) Describe() Description {
	return Description{Name: "boolean", Label: "Boolean", Help: "True or false.", Options: []OptionSpec{}, Unique: true,
		Lookups: equalityLookups(), Sortable: true, Wire: WireBoolean, Measures: distinctMeasures(),
		JSON: JSONSchema{Type: "boolean"}, Input: Input{Control: "select", Parse: "bool"}}
}

func (booleanType) CheckOptions(Options) problem.List { return nil }

func (booleanType) Compile(Options) Codec { return booleanCodec{} }

type booleanCodec struct{}

func (booleanCodec) Column() string { return "boolean" }

func (booleanCodec) Normalize(v any) (any, *problem.Problem) {
	if _, ok := v.(bool); ok {
		return v, nil
	}
	return nil, invalidType("a boolean")
}
