package fieldtype

import (
	"math"

	"forma.dev/shared/problem"
)

func init() { Register(integerType{}) }

// integerType is a whole number that fits in a Postgres bigint.
type integerType struct{}

var _ Type = integerType{}

func (integerType) Name() string { return "integer" }

func (integerType) Describe() Description {
	return Description{
		Name: "integer", Label: "Integer", Help: "A whole number (64-bit).",
		Choices: true, Unique: true, Lookups: orderedLookups(), Sortable: true, Wire: WireInteger, Measures: AllMeasures(),
		JSON:  JSONSchema{Type: "integer", Format: "int64"},
		Input: Input{Control: "input", HTML: "text", InputMode: "numeric", Parse: "json"},
		Options: []OptionSpec{
			{Name: "min", Kind: KindInteger, Label: "Minimum", Help: "The smallest allowed value.",
				Min: bound(math.MinInt64), Max: bound(math.MaxInt64), Schema: "minimum"},
			{Name: "max", Kind: KindInteger, Label: "Maximum", Help: "The largest allowed value.",
				Min: bound(math.MinInt64), Max: bound(math.MaxInt64), Schema: "maximum"},
		},
	}
}

func (integerType) CheckOptions(o Options) problem.List {
	lo, okLo := optInt64(o, "min")
	hi, okHi := optInt64(o, "max")
	if okLo && okHi && lo > hi {
		return problem.List{problem.New("max", problem.Min, map[string]any{"min": lo})}
	}
	return nil
}

func (integerType) Compile(o Options) Codec {
	c := integerCodec{min: math.MinInt64, max: math.MaxInt64}
	if n, ok := optInt64(o, "min"); ok {
		c.min = n
	}
	if n, ok := optInt64(o, "max"); ok {
		c.max = n
	}
	return c
}

// integerCodec checks a whole number within [min, max]; it returns an int64.
type integerCodec struct{ min, max int64 }

func (integerCodec) Column() string { return "bigint" }

func (c integerCodec) Normalize(v any) (any, *problem.Problem) {
	n, p := toInt64(v)
	switch {
	case p != nil:
		return nil, p
	case n < c.min:
		return nil, fail(problem.Min, map[string]any{"min": c.min})
	case n > c.max:
		return nil, fail(problem.Max, map[string]any{"max": c.max})
	}
	if i, ok := v.(int64); ok && i == n {
		return v, nil
	}
	return n, nil
}
