package fieldtype

import (
	"time"

	"forma.dev/shared/problem"
)

func init() { Register(datetimeType{}) }

// datetimeType is an instant, sent as RFC 3339 and kept as timestamptz.
type datetimeType struct{}

var (
	_ Type = datetimeType{}
	_ Auto = datetimeType{}
)

func (datetimeType) Name() string { return "datetime" }

func (datetimeType) Describe() Description {
	return Description{
		Name: "datetime", Label: "Date and time", Help: "An instant in time, RFC 3339 (e.g. 2024-05-01T12:30:00Z); returned in UTC.",
		Choices: true, Unique: true, Lookups: orderedLookups(), Sortable: true, Wire: WireTimestamp,
		Measures: orderedMeasures(), Buckets: AllBuckets(),
		JSON:  JSONSchema{Type: "string", Format: "date-time", Note: "RFC 3339, in UTC."},
		Input: Input{Control: "input", HTML: "text", Placeholder: "2026-01-31T12:00:00Z", Parse: "text"},
		Options: []OptionSpec{
			{Name: "auto_now", Kind: KindBoolean, Label: "Set on every save", Default: false,
				Help: "Forma sets the field to the current time whenever the record is created or updated; apps cannot write it."},
			{Name: "auto_now_add", Kind: KindBoolean, Label: "Set on create", Default: false,
				Help: "Forma sets the field to the current time when the record is created; apps cannot write it."},
		},
	}
}

func (datetimeType) CheckOptions(o Options) problem.List {
	if o.Bool("auto_now") && o.Bool("auto_now_add") {
		return problem.List{problem.New("auto_now_add", problem.InvalidValue,
			map[string]any{"reason": "auto_now and auto_now_add cannot both be set"})}
	}
	return nil
}

// Auto reports the datetime's auto_now and auto_now_add options.
func (datetimeType) Auto(o Options) (now, nowAdd bool) {
	return o.Bool("auto_now"), o.Bool("auto_now_add")
}

func (datetimeType) Compile(Options) Codec { return datetimeCodec{} }

type datetimeCodec struct{}

func (datetimeCodec) Column() string { return "timestamptz" }

// Normalize returns UTC RFC 3339 rounded to the microsecond, with fractional seconds
// only when they are not zero (e.g. "2024-05-01T10:30:00.25Z").
func (datetimeCodec) Normalize(v any) (any, *problem.Problem) {
	s, ok := v.(string)
	if !ok {
		return nil, invalidType("a string")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return nil, invalidFormat("RFC 3339 date and time")
	}
	t = t.UTC().Round(time.Microsecond)
	if y := t.Year(); y < 1 || y > 9999 {
		return nil, invalidFormat("RFC 3339 date and time")
	}
	var buf [40]byte
	b := t.AppendFormat(buf[:0], time.RFC3339Nano)
	if string(b) == s {
		return v, nil
	}
	return string(b), nil
}

// FormatDatetime renders t as the datetime type stores and returns it.
func FormatDatetime(t time.Time) string {
	return t.UTC().Round(time.Microsecond).Format(time.RFC3339Nano)
}
