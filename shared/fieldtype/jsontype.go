package fieldtype

import (
	"encoding/json"
	"strings"

	"forma.dev/shared/problem"
)

func init() { Register(jsonType{}) }

// jsonType is any JSON value, stored as jsonb.
type jsonType struct{}

var _ Type = jsonType{}

func (jsonType) Name() string { return "json" }

func (jsonType) Describe() Description {
	return Description{
		Name: "json", Label: "JSON", Help: "Any JSON value: object, array, string, number, boolean.",
		Options: []OptionSpec{}, Lookups: []string{"isnull"}, Wire: WireJSON,
		Input: Input{Control: "textarea", Placeholder: `{"any": "JSON"}`, Parse: "json-strict"},
	}
}

func (jsonType) CheckOptions(Options) problem.List { return nil }

func (jsonType) Compile(Options) Codec { return jsonCodec{} }

type jsonCodec struct{}

func (jsonCodec) Column() string { return "jsonb" }

// Normalize returns the value as decoded; it rejects what jsonb cannot hold (NUL characters).
func (jsonCodec) Normalize(v any) (any, *problem.Problem) {
	if reason := checkJSON(v, 0); reason != "" {
		return nil, fail(problem.InvalidValue, map[string]any{"reason": reason})
	}
	return v, nil
}

// maxJSONDepth matches encoding/json's nesting limit.
const maxJSONDepth = 10000

func checkJSON(v any, depth int) string {
	if depth > maxJSONDepth {
		return "nested too deeply"
	}
	switch x := v.(type) {
	case nil, bool, float64, json.Number:
	case string:
		if strings.IndexByte(x, 0) >= 0 {
			return "contains a NUL character"
		}
	case []any:
		for _, e := range x {
			if r := checkJSON(e, depth+1); r != "" {
				return r
			}
		}
	case map[string]any:
		for k, e := range x {
			if strings.IndexByte(k, 0) >= 0 {
				return "contains a NUL character"
			}
			if r := checkJSON(e, depth+1); r != "" {
				return r
			}
		}
	default:
		return "not a JSON value"
	}
	return ""
}
