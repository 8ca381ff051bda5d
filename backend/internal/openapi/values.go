package openapi

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	"forma.dev/shared/fieldtype"
)

// Patterns of values whose JSON Schema format says too little.
const (
	// timeRead is a time of day as Forma returns it: HH:MM:SS[.ffffff].
	timeRead = `^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]{1,6})?$`
	// timeInput is a time of day as Forma accepts it: HH:MM[:SS[.ffffff]].
	timeInput = `^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$`
	// decimalInput is a number written as a string, as Forma's decimal type parses it.
	decimalInput = `^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?$`
	// httpURL is the start of an absolute http or https URL (the scheme in any case).
	httpURL = `^[hH][tT][tT][pP][sS]?://`
)

// valueSchema is the schema of one non-null value of a column of type typ with options o
// and codec c (nil for system columns): JSON type, format and bounds, as Forma returns
// it (input false) or as it accepts it (input true). It has no type for json values.
func valueSchema(typ string, o fieldtype.Options, c fieldtype.Codec, input bool) obj {
	switch typ {
	case "text":
		s := obj{"type": "string"}
		setNumber(s, "maxLength", o, "max_length")
		setNumber(s, "minLength", o, "min_length")
		if p := o.String("pattern", ""); p != "" {
			s["pattern"] = p
		}
		return s
	case "email":
		s := obj{"type": "string", "format": "email"}
		setNumber(s, "maxLength", o, "max_length")
		return s
	case "url":
		return obj{"type": "string", "format": "uri", "pattern": httpURL}
	case "integer":
		s := obj{"type": "integer", "format": "int64"}
		setNumber(s, "minimum", o, "min")
		setNumber(s, "maximum", o, "max")
		return s
	case "relation":
		return obj{"type": "integer", "format": "int64", "minimum": 1}
	case "float":
		s := obj{"type": "number", "format": "double"}
		setNumber(s, "minimum", o, "min")
		setNumber(s, "maximum", o, "max")
		return s
	case "decimal":
		if input {
			return obj{"type": "string", "pattern": decimalInput}
		}
		return obj{"type": "string", "pattern": decimalPattern(c)}
	case "boolean":
		return obj{"type": "boolean"}
	case "date":
		return obj{"type": "string", "format": "date"}
	case "datetime":
		return obj{"type": "string", "format": "date-time"}
	case "time":
		if input {
			return obj{"type": "string", "format": "time-local", "pattern": timeInput}
		}
		return obj{"type": "string", "format": "time-local", "pattern": timeRead}
	case "uuid":
		return obj{"type": "string", "format": "uuid"}
	}
	return obj{} // json, or a type this build does not describe: any value
}

// decimalPattern is the canonical form of a decimal column's values: an optional minus,
// at most precision-scale integer digits without leading zeros, exactly scale decimals.
func decimalPattern(c fieldtype.Codec) string {
	p, s := fieldtype.DefaultDecimalPrecision, fieldtype.DefaultDecimalScale
	if c != nil { // the codec's column, numeric(p,s), is the truth about the options
		_, _ = fmt.Sscanf(c.Column(), "numeric(%d,%d)", &p, &s)
	}
	if s == 0 {
		return `^-?(0|[1-9][0-9]{0,` + strconv.Itoa(p-1) + `})$`
	}
	whole := "0"
	if p > s {
		whole = `(0|[1-9][0-9]{0,` + strconv.Itoa(p-s-1) + `})`
	}
	return `^-?` + whole + `\.[0-9]{` + strconv.Itoa(s) + `}$`
}

// setNumber copies a numeric option into s under key, exactly as the definition has it.
func setNumber(s obj, key string, o fieldtype.Options, option string) {
	switch n := o[option].(type) {
	case json.Number:
		s[key] = n
	case int:
		s[key] = int64(n)
	case int64:
		s[key] = n
	case float64:
		if n == math.Trunc(n) && math.Abs(n) < 1<<53 {
			s[key] = int64(n)
		} else if !math.IsNaN(n) && !math.IsInf(n, 0) {
			s[key] = n
		}
	}
}
