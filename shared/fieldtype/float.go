package fieldtype

import (
	"math"

	"forma.dev/shared/problem"
)

func init() { Register(floatType{}) }

// floatType is a finite double precision number.
type floatType struct{}

var _ Type = floatType{}

func (floatType) Name() string { return "float" }

func (floatType) Describe() Description {
	return Description{
		Name: "float", Label: "Float", Help: "A floating-point number (double precision).",
		Choices: true, Unique: true, Lookups: orderedLookups(), Sortable: true, Wire: WireFloat, Measures: AllMeasures(),
		JSON:  JSONSchema{Type: "number", Format: "double"},
		Input: Input{Control: "input", HTML: "text", InputMode: "decimal", Parse: "json"},
		Options: []OptionSpec{
			{Name: "min", Kind: KindNumber, Label: "Minimum", Help: "The smallest allowed value.", Schema: "minimum"},
			{Name: "max", Kind: KindNumber, Label: "Maximum", Help: "The largest allowed value.", Schema: "maximum"},
		},
	}
}

func (floatType) CheckOptions(o Options) problem.List {
	lo, okLo := o.Float("min")
	hi, okHi := o.Float("max")
	if okLo && okHi && lo > hi {
		return problem.List{problem.New("max", problem.Min, map[string]any{"min": lo})}
	}
	return nil
}

func (floatType) Compile(o Options) Codec {
	c := floatCodec{min: math.Inf(-1), max: math.Inf(1)}
	if f, ok := o.Float("min"); ok {
		c.min = f
	}
	if f, ok := o.Float("max"); ok {
		c.max = f
	}
	return c
}

// floatCodec checks a finite number within [min, max]; it returns a float64.
type floatCodec struct{ min, max float64 }

func (floatCodec) Column() string { return "double precision" }

func (c floatCodec) Normalize(v any) (any, *problem.Problem) {
	f, p := toFloat(v)
	switch {
	case p != nil:
		return nil, p
	case f < c.min:
		return nil, fail(problem.Min, map[string]any{"min": c.min})
	case f > c.max:
		return nil, fail(problem.Max, map[string]any{"max": c.max})
	}
	if _, ok := v.(float64); ok {
		return v, nil
	}
	return f, nil
}
