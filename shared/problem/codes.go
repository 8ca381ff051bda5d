package problem

import (
	"fmt"
	"sort"
	"strings"
)

// Stable problem codes. Clients match on these strings: never rename one.
const (
	Required      = "required"       // a value that must be present is missing
	InvalidName   = "invalid_name"   // a name does not match ^[a-z][a-z0-9_]*$
	TooLong       = "too_long"       // a name, text or value is longer than params.max bytes
	ReservedWord  = "reserved_word"  // a name is a Postgres reserved word
	SystemColumn  = "system_column"  // a field is named like a system column (id, created_at, updated_at)
	Duplicate     = "duplicate"      // a name appears twice where it must be unique
	UnknownType   = "unknown_type"   // a field type that the registry does not know
	UnknownOption = "unknown_option" // an option that the field type does not take
	UnknownField  = "unknown_field"  // a name that is not a field of the model
	UnknownModel  = "unknown_model"  // a name that is not a model of the tenant
	InvalidType   = "invalid_type"   // a value of the wrong JSON type (params.expected)
	InvalidFormat = "invalid_format" // a string that does not parse (params.format)
	InvalidValue  = "invalid_value"  // a value that is not allowed here (params.reason)
	Min           = "min"            // a number below params.min
	Max           = "max"            // a number above params.max
	MinLength     = "min_length"     // a string shorter than params.min_length characters
	MaxLength     = "max_length"     // a string longer than params.max_length characters
	Pattern       = "pattern"        // a string that does not match params.pattern
	Choice        = "choice"         // a value that is not one of params.choices
	NotAllowed    = "not_allowed"    // an attribute that this field type does not take (params.attribute)
	ReadOnly      = "read_only"      // a system or automatic field that a record may not set
	Precision     = "precision"      // a decimal with more digits than params.precision / params.scale allow
	Empty         = "empty"          // a list that must not be empty
	MinItems      = "min_items"      // a list with fewer than params.min items
	MaxItems      = "max_items"      // a list with more than params.max items
	ReservedName  = "reserved_name"  // a field name that the data API's query syntax needs (params.reason)
	NotFound      = "not_found"      // a referenced record that does not exist (params.name)
	UnknownLookup = "unknown_lookup" // a filter lookup that the field's type does not support (params.lookup)
	// Codes of custom roles (package access).
	UnknownAction   = "unknown_action"   // a role's action that is not list, get, create, update or delete (params.action)
	UnknownVariable = "unknown_variable" // a rule's value starting with "$" that is not a variable ($auth.…) nor escaped ($$…) (params.name)
	BuiltinRole     = "builtin_role"     // a custom role named like a built-in one: admin, write, read (params.name)
	RuleUsesField   = "rule_uses_field"  // a role's rule names a model or field that is gone, or a value its type now refuses (params.name: "model" or "model.field")
	ForbiddenField  = "forbidden_field"  // a field the caller's role may not read or write here (params.name)

	// Codes of aggregations (package aggregate).
	UnknownMeasure    = "unknown_measure"     // a measure that is not count, count_distinct, sum, avg, min or max (params.measure)
	MeasureNotAllowed = "measure_not_allowed" // a measure the field's type does not take (params.measure, params.type)
	BucketNotAllowed  = "bucket_not_allowed"  // a time bucket the field's type does not take (params.bucket, params.type)
	UnknownTimezone   = "unknown_timezone"    // a time zone that is not an IANA name such as Europe/Warsaw (params.name)
	UnknownName       = "unknown_name"        // a name that is not one of the answer's groups or measures (params.name)
)

// catalogue holds the message template of every code; {name} is replaced by params[name].
var catalogue = map[string]string{
	Required:        "is required",
	InvalidName:     "must start with a lowercase letter and contain only lowercase letters, digits and underscores",
	TooLong:         "must be at most {max} bytes long",
	ReservedWord:    "is a reserved word in Postgres",
	SystemColumn:    "is a system column that every model has already",
	Duplicate:       "{name} is used more than once",
	UnknownType:     "{type} is not a field type",
	UnknownOption:   "{option} is not an option of this field type",
	UnknownField:    "{name} is not a field of this model",
	UnknownModel:    "{name} is not a model",
	InvalidType:     "must be {expected}",
	InvalidFormat:   "is not a valid {format}",
	InvalidValue:    "is not allowed: {reason}",
	Min:             "must be at least {min}",
	Max:             "must be at most {max}",
	MinLength:       "must be at least {min_length} characters long",
	MaxLength:       "must be at most {max_length} characters long",
	Pattern:         "must match {pattern}",
	Choice:          "must be one of {choices}",
	NotAllowed:      "{attribute} is not allowed for this field type",
	ReadOnly:        "is set by Forma and cannot be written",
	Precision:       "has more digits than precision {precision} and scale {scale} allow",
	Empty:           "must not be empty",
	MinItems:        "must list at least {min} items",
	MaxItems:        "must list at most {max} items",
	ReservedName:    "is reserved: {reason}",
	NotFound:        "refers to a record that does not exist",
	UnknownLookup:   "{lookup} is not a lookup this field supports",
	UnknownAction:   "{action} is not an action: list, get, create, update or delete",
	UnknownVariable: "{name} is not a variable: write $auth.<claim> for a claim of the caller's token, or $$ for a literal $",
	BuiltinRole:     "{name} is a built-in role",
	RuleUsesField:   "the rule uses {name}, which the schema no longer has or whose type refuses the rule's value",
	ForbiddenField:  "{name} is a field this role may not use here",

	UnknownMeasure:    "{measure} is not a measure: count, count_distinct, sum, avg, min or max",
	MeasureNotAllowed: "{measure} is not a measure of {type} fields",
	BucketNotAllowed:  "{bucket} is not a time bucket of {type} fields",
	UnknownTimezone:   "{name} is not a time zone: give an IANA name such as Europe/Warsaw",
	UnknownName:       "{name} is not a group or measure of this aggregation",
}

// Codes lists every stable code, sorted, for documentation and clients.
func Codes() []string {
	codes := make([]string, 0, len(catalogue))
	for c := range catalogue {
		codes = append(codes, c)
	}
	sort.Strings(codes)
	return codes
}

// Message renders the catalogue message of code with params; an unknown code renders as itself.
func Message(code string, params map[string]any) string {
	tmpl, ok := catalogue[code]
	if !ok {
		return code
	}
	if len(params) == 0 || !strings.Contains(tmpl, "{") {
		return tmpl
	}
	var b strings.Builder
	for {
		open := strings.IndexByte(tmpl, '{')
		if open < 0 {
			break
		}
		end := strings.IndexByte(tmpl[open:], '}')
		if end < 0 {
			break
		}
		b.WriteString(tmpl[:open])
		name := tmpl[open+1 : open+end]
		if v, ok := params[name]; ok {
			b.WriteString(render(v))
		} else {
			b.WriteString(tmpl[open : open+end+1])
		}
		tmpl = tmpl[open+end+1:]
	}
	b.WriteString(tmpl)
	return b.String()
}

func render(v any) string {
	if list, ok := v.([]any); ok {
		parts := make([]string, len(list))
		for i, x := range list {
			parts[i] = render(x)
		}
		return strings.Join(parts, ", ")
	}
	if list, ok := v.([]string); ok {
		return strings.Join(list, ", ")
	}
	return fmt.Sprint(v)
}
