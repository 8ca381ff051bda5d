package fieldtype

import "forma.dev/shared/problem"

func init() { Register(timeType{}) }

// timeType is a time of day without a time zone, "HH:MM[:SS[.ffffff]]".
type timeType struct{}

var _ Type = timeType{}

func (timeType) Name() string { return "time" }

func (timeType) Describe() Description {
	return Description{
		Name: "time", Label: "Time of day", Help: "A time of day without time zone, HH:MM or HH:MM:SS with up to 6 decimals.",
		Choices: true, Unique: true, Options: []OptionSpec{},
		Lookups: orderedLookups(), Sortable: true, Wire: WireTextCast,
		Measures: orderedMeasures(),
		JSON: JSONSchema{Type: "string", Format: "time-local",
			// returned as HH:MM:SS[.ffffff], accepted as HH:MM[:SS[.ffffff]]
			Pattern:      `^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$`,
			InputPattern: `^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$`,
			Note:         "A time of day without time zone.", InputNote: "A time of day without time zone."},
		Input: Input{Control: "input", HTML: "text", Placeholder: "12:00:00", Parse: "text"},
	}
}

func (timeType) CheckOptions(Options) problem.List { return nil }

func (timeType) Compile(Options) Codec { return timeCodec{} }

type timeCodec struct{}

func (timeCodec) Column() string { return "time" }

// Normalize returns HH:MM:SS, followed by .f to .ffffff when the fraction is not zero
// (trailing zeros dropped).
func (timeCodec) Normalize(v any) (any, *problem.Problem) {
	s, ok := v.(string)
	if !ok {
		return nil, invalidType("a string")
	}
	out, ok := normalTime(s)
	if !ok {
		return nil, invalidFormat("time (HH:MM[:SS[.ffffff]])")
	}
	if out == s {
		return v, nil
	}
	return out, nil
}

func normalTime(s string) (string, bool) {
	if len(s) < 5 || s[2] != ':' {
		return "", false
	}
	h, ok1 := digits(s[0:2])
	m, ok2 := digits(s[3:5])
	if !ok1 || !ok2 || h > 23 || m > 59 {
		return "", false
	}
	if len(s) == 5 {
		return s + ":00", true
	}
	if len(s) < 8 || s[5] != ':' {
		return "", false
	}
	if sec, ok := digits(s[6:8]); !ok || sec > 59 {
		return "", false
	}
	if len(s) == 8 {
		return s, true
	}
	frac := s[9:]
	if s[8] != '.' || len(frac) == 0 || len(frac) > 6 {
		return "", false
	}
	if _, ok := digits(frac); !ok {
		return "", false
	}
	end := len(s)
	for s[end-1] == '0' {
		end--
	}
	if end == 9 {
		end = 8 // the fraction was all zeros
	}
	return s[:end], true
}
