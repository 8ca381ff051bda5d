package fieldtype

import "forma.dev/shared/problem"

func init() { Register(uuidType{}) }

// uuidType is a UUID in its hyphenated form, any case; it is returned in lowercase.
type uuidType struct{}

var _ Type = uuidType{}

func (uuidType) Name() string { return "uuid" }

func (uuidType) Describe() Description {
	return Description{
		Name: "uuid", Label: "UUID", Help: "A UUID such as 123e4567-e89b-12d3-a456-426614174000.",
		Choices: true, Unique: true, Options: []OptionSpec{},
		Lookups: equalityLookups(), Sortable: true, Wire: WireTextCast, Measures: distinctMeasures(),
		JSON:  JSONSchema{Type: "string", Format: "uuid"},
		Input: Input{Control: "input", HTML: "text", Placeholder: "00000000-0000-0000-0000-000000000000", Parse: "text"},
	}
}

func (uuidType) CheckOptions(Options) problem.List { return nil }

func (uuidType) Compile(Options) Codec { return uuidCodec{} }

type uuidCodec struct{}

func (uuidCodec) Column() string { return "uuid" }

func (uuidCodec) Normalize(v any) (any, *problem.Problem) {
	s, ok := v.(string)
	if !ok {
		return nil, invalidType("a string")
	}
	if len(s) != 36 {
		return nil, invalidFormat("UUID")
	}
	upper := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return nil, invalidFormat("UUID")
			}
		case isDigit(c) || 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			upper = true
		default:
			return nil, invalidFormat("UUID")
		}
	}
	if !upper {
		return v, nil
	}
	var b [36]byte
	for i := range b {
		if c := s[i]; 'A' <= c && c <= 'F' {
			b[i] = c + 'a' - 'A'
		} else {
			b[i] = c
		}
	}
	return string(b[:]), nil
}
