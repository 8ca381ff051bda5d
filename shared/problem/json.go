package problem

import (
	"encoding/json"
	"reflect"
)

// WrongJSONType is the problem of a JSON value that encoding/json could not decode into
// its Go type: invalid_type at the member's path, expecting the JSON type that decodes.
func WrongJSONType(err *json.UnmarshalTypeError) Problem {
	return New(err.Field, InvalidType, map[string]any{"expected": jsonKind(err.Type)})
}

// jsonKind names the JSON type that a Go type decodes from.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct, reflect.Interface:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	}
	return "a number"
}
