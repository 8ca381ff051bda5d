package fieldtype

import (
	"encoding/json"
	"math"
	"strconv"

	"forma.dev/shared/problem"
)

func init() { Register(decimalType{}) }

// Decimal option bounds and defaults (Postgres numeric allows precision up to 1000).
const (
	MaxDecimalPrecision     = 1000
	DefaultDecimalPrecision = 18
	DefaultDecimalScale     = 2
)

// decimalType is an exact number with a fixed number of decimals, kept as a string.
type decimalType struct{}

var _ Type = decimalType{}

func (decimalType) Name() string { return "decimal" }

func (decimalType) Describe() Description {
	return Description{
		Name: "decimal", Label: "Decimal", Help: "An exact number with a fixed number of decimals, such as money; sent and returned as a string.",
		Choices: true, Unique: true, Lookups: orderedLookups(), Sortable: true, Wire: WireTextCast,
		Measures: AllMeasures(),
		JSON: JSONSchema{Type: "string",
			Pattern:      decimalCodec{DefaultDecimalPrecision, DefaultDecimalScale}.Pattern(),
			InputPattern: `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`, // as parseDecimal reads it
			Note:         "A decimal number as a string with exactly the field's scale of decimals.",
			InputNote:    "A decimal number as a string (a JSON number is accepted too), rounded to the field's scale."},
		Input: Input{Control: "input", HTML: "text", InputMode: "decimal", Placeholder: "12.50", Parse: "text"},
		Options: []OptionSpec{
			{Name: "precision", Kind: KindInteger, Label: "Precision", Default: DefaultDecimalPrecision,
				Min: bound(1), Max: bound(MaxDecimalPrecision), Help: "Total number of digits, before and after the point."},
			{Name: "scale", Kind: KindInteger, Label: "Scale", Default: DefaultDecimalScale,
				Min: bound(0), Max: bound(MaxDecimalPrecision), Help: "Digits after the point; values are rounded to it (half away from zero)."},
		},
	}
}

func (decimalType) CheckOptions(o Options) problem.List {
	if p, s := decimalOptions(o); s > p {
		return problem.List{problem.New("scale", problem.Max, map[string]any{"max": p})}
	}
	return nil
}

func decimalOptions(o Options) (precision, scale int) {
	p, _ := optInt64(o, "precision")
	s, ok := optInt64(o, "scale")
	if !ok {
		s = DefaultDecimalScale
	}
	if p < 1 || p > MaxDecimalPrecision {
		p = DefaultDecimalPrecision
	}
	return int(p), int(max(0, min(s, MaxDecimalPrecision)))
}

func (decimalType) Compile(o Options) Codec {
	p, s := decimalOptions(o)
	return decimalCodec{precision: p, scale: min(s, p)}
}

// decimalCodec checks a number or numeric string and returns it as a string with
// exactly scale decimals, e.g. "-12.50".
type decimalCodec struct{ precision, scale int }

func (c decimalCodec) Column() string {
	return "numeric(" + strconv.Itoa(c.precision) + "," + strconv.Itoa(c.scale) + ")"
}

// Pattern is the canonical form of the values: an optional minus, at most
// precision-scale integer digits without leading zeros, exactly scale decimals.
func (c decimalCodec) Pattern() string {
	p, s := c.precision, c.scale
	if s == 0 {
		return `^-?(0|[1-9][0-9]{0,` + strconv.Itoa(p-1) + `})$`
	}
	whole := "0"
	if p > s {
		whole = `(0|[1-9][0-9]{0,` + strconv.Itoa(p-s-1) + `})`
	}
	return `^-?` + whole + `\.[0-9]{` + strconv.Itoa(s) + `}$`
}

func (c decimalCodec) Normalize(v any) (any, *problem.Problem) {
	var s string
	switch n := v.(type) {
	case string:
		s = n
	case json.Number:
		s = string(n)
	case float64:
		if math.IsNaN(n) || math.IsInf(n, 0) {
			return nil, fail(problem.InvalidValue, map[string]any{"reason": "not a finite number"})
		}
		s = strconv.FormatFloat(n, 'g', -1, 64)
	case int64:
		s = strconv.FormatInt(n, 10)
	case int:
		s = strconv.Itoa(n)
	default:
		return nil, invalidType("a number or a numeric string")
	}
	d, ok := parseDecimal(s)
	if !ok {
		return nil, invalidFormat("decimal number")
	}
	out, ok := d.format(c.precision, c.scale)
	if !ok {
		return nil, fail(problem.Precision, map[string]any{"precision": c.precision, "scale": c.scale})
	}
	if out == s {
		if _, isString := v.(string); isString {
			return v, nil
		}
	}
	return out, nil
}

// format rounds d half away from zero to scale decimals and renders it; it fails when
// the result has more than precision digits.
func (d decimal) format(precision, scale int) (string, bool) {
	shift := d.exp + scale // the scaled integer is digits × 10^shift
	var tmp [48]byte
	n := tmp[:0] // the scaled integer's digits, without leading zeros
	switch {
	case d.digits == "":
	case shift >= 0:
		if len(d.digits)+shift > precision {
			return "", false
		}
		n = append(n, d.digits...)
		for range shift {
			n = append(n, '0')
		}
	case -shift > len(d.digits):
	default:
		keep := len(d.digits) + shift
		n = append(n, d.digits[:keep]...)
		if d.digits[keep] >= '5' {
			n = increment(n)
		}
	}
	if len(n) > precision {
		return "", false
	}
	var buf [64]byte
	b := buf[:0]
	if d.neg && len(n) > 0 {
		b = append(b, '-')
	}
	for i := len(n); i < scale+1; i++ {
		b = append(b, '0')
	}
	b = append(b, n...)
	if scale > 0 {
		cut := len(b) - scale
		b = append(b[:cut+1], b[cut:]...)
		b[cut] = '.'
	}
	return string(b), true
}

// increment adds one to a decimal digit string, growing it on carry ("99" → "100").
func increment(n []byte) []byte {
	for i := len(n) - 1; i >= 0; i-- {
		if n[i] < '9' {
			n[i]++
			return n
		}
		n[i] = '0'
	}
	return append([]byte{'1'}, n...)
}
