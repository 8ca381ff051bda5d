package fieldtype

import (
	"regexp"
	"strconv"
	"unicode/utf8"

	"forma.dev/shared/problem"
)

func init() { Register(textType{}) }

// MaxTextLength is the largest max_length of text and email fields (Postgres' varchar limit).
const MaxTextLength = 10485760

// textType is a string, optionally bounded in length and matched against a pattern.
type textType struct{}

var _ Type = textType{}

func (textType) Name() string { return "text" }

func (textType) Describe() Description {
	return Description{
		Name: "text", Label: "Text", Help: "A string of characters.",
		Choices: true, Unique: true, Lookups: AllLookups(), Sortable: true, Wire: WireText, Measures: orderedMeasures(),
		JSON:  JSONSchema{Type: "string"},
		Input: Input{Control: "input", HTML: "text", Parse: "text"},
		Options: []OptionSpec{
			{Name: "max_length", Kind: KindInteger, Label: "Maximum length", Min: bound(1), Max: bound(MaxTextLength), Schema: "maxLength",
				Help: "The most characters a value may have; the column becomes varchar(n). Empty: unlimited."},
			{Name: "min_length", Kind: KindInteger, Label: "Minimum length", Min: bound(0), Max: bound(MaxTextLength), Schema: "minLength",
				Help: "The fewest characters a value may have. Required alone still allows an empty string."},
			{Name: "pattern", Kind: KindRegexp, Label: "Pattern", Schema: "pattern",
				Help: "A regular expression (RE2) that a value must match; it matches anywhere unless anchored with ^ and $."},
		},
	}
}

func (textType) CheckOptions(o Options) problem.List { return checkLengths(o) }

// checkLengths reports a max_length below min_length.
func checkLengths(o Options) problem.List {
	lo, okLo := optInt64(o, "min_length")
	hi, okHi := optInt64(o, "max_length")
	if okLo && okHi && lo > hi {
		return problem.List{problem.New("max_length", problem.Min, map[string]any{"min": lo})}
	}
	return nil
}

func (textType) Compile(o Options) Codec {
	c := textCodec{min: -1, max: -1}
	if n, ok := optInt64(o, "max_length"); ok {
		c.max = n
	}
	if n, ok := optInt64(o, "min_length"); ok {
		c.min = n
	}
	if p := o.String("pattern", ""); p != "" {
		c.pattern, _ = regexp.Compile(p) // valid options compile; an invalid pattern is ignored
	}
	return c
}

// textCodec checks a string; min and max are -1 when unset.
type textCodec struct {
	min, max int64
	pattern  *regexp.Regexp
}

func (c textCodec) Column() string { return varchar(c.max) }

// varchar is "varchar(n)" for a positive n, otherwise "text".
func varchar(n int64) string {
	if n <= 0 {
		return "text"
	}
	return "varchar(" + strconv.FormatInt(n, 10) + ")"
}

func (c textCodec) Normalize(v any) (any, *problem.Problem) {
	s, p := plainString(v)
	if p != nil {
		return nil, p
	}
	if p := checkLength(s, c.min, c.max); p != nil {
		return nil, p
	}
	if c.pattern != nil && !c.pattern.MatchString(s) {
		return nil, fail(problem.Pattern, map[string]any{"pattern": c.pattern.String()})
	}
	return v, nil
}

// checkLength checks the length of s in characters against min and max (-1: unset).
func checkLength(s string, min, max int64) *problem.Problem {
	if min <= 0 && (max < 0 || int64(len(s)) <= max) {
		return nil // bytes bound characters from above
	}
	n := int64(utf8.RuneCountInString(s))
	if max >= 0 && n > max {
		return fail(problem.MaxLength, map[string]any{"max_length": max})
	}
	if n < min {
		return fail(problem.MinLength, map[string]any{"min_length": min})
	}
	return nil
}
