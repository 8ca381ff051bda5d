package openapi

import (
	"encoding/json"
	"math"

	"forma.dev/shared/fieldtype"
)

// valueSchema is the schema of one non-null value of a column of type typ with options o
// and codec c (nil for system columns): JSON type, format and bounds, as Forma returns
// it (input false) or as it accepts it (input true), all from the type's description.
// It has no type for json values.
func valueSchema(typ string, o fieldtype.Options, c fieldtype.Codec, input bool) obj {
	t, ok := fieldtype.Lookup(typ)
	if !ok {
		return obj{} // a type this build does not describe: any value
	}
	d := t.Describe()
	s := obj{}
	set := func(key, v string) {
		if v != "" {
			s[key] = v
		}
	}
	set("type", d.JSON.Type)
	set("format", d.JSON.Format)
	switch p, ok := c.(fieldtype.Patterner); {
	case input && d.JSON.InputPattern != "":
		set("pattern", d.JSON.InputPattern)
	case !input && ok:
		set("pattern", p.Pattern())
	default:
		set("pattern", d.JSON.Pattern)
	}
	if d.JSON.Minimum != nil {
		s["minimum"] = *d.JSON.Minimum
	}
	for _, spec := range d.Options {
		if spec.Schema == "" {
			continue
		}
		if text, isText := o[spec.Name].(string); isText {
			set(spec.Schema, text)
		} else {
			setNumber(s, spec.Schema, o, spec.Name)
		}
	}
	return s
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
