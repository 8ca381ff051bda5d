package schema

import (
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
)

// validateField checks one field; paths are relative to the field.
func validateField(f Field, modelExists func(string) bool) problem.List {
	var list problem.List
	list.Append("name", CheckName(f.Name))
	if IsSystemColumn(f.Name) {
		list.Add("name", problem.SystemColumn, nil)
	}
	if reason := queryReserved(f.Name); reason != "" {
		list.Add("name", problem.ReservedName, map[string]any{"reason": reason})
	}
	if f.Type == "" {
		list.Add("type", problem.Required, nil)
		return list
	}
	r := Resolve(f)
	if r.Type == nil {
		list.Add("type", problem.UnknownType, map[string]any{"type": f.Type})
		return list
	}
	list.Append("options", r.Options)
	switch {
	case r.Desc.Relation && f.RelatedModel == "":
		list.Add("related_model", problem.Required, nil)
	case r.Desc.Relation && !modelExists(f.RelatedModel):
		list.Add("related_model", problem.UnknownModel, map[string]any{"name": f.RelatedModel})
	case !r.Desc.Relation && f.RelatedModel != "":
		list.Add("related_model", problem.NotAllowed, map[string]any{"attribute": "related_model"})
	}
	if r.Desc.Relation && f.Required && r.OnDelete == fieldtype.OnDeleteSetNull {
		list.Add("options.on_delete", problem.InvalidValue,
			map[string]any{"reason": "a required field cannot be set to null"})
	}
	list = append(list, checkValues(f, r)...)
	if f.Unique && !r.Desc.Unique {
		list.Add("unique", problem.NotAllowed, map[string]any{"attribute": "unique"})
	}
	if f.Index && !r.Desc.Unique {
		list.Add("index", problem.NotAllowed, map[string]any{"attribute": "index"})
	}
	return list
}

// checkValues checks choices and default against the type, the options and each other.
func checkValues(f Field, r Resolved) problem.List {
	var list problem.List
	if len(f.Choices) > 0 && !r.Desc.Choices {
		list.Add("choices", problem.NotAllowed, map[string]any{"attribute": "choices"})
	}
	if r.Codec == nil {
		return list // invalid options: values cannot be checked yet
	}
	var choices []any
	if len(f.Choices) > 0 && r.Desc.Choices {
		var more problem.List
		choices, more = fieldtype.NormalizeChoices(r.Codec, f.Choices)
		list.Append("choices", more)
	}
	if f.Default == nil {
		return list
	}
	v, p := r.Codec.Normalize(f.Default)
	switch {
	case p != nil:
		p.Path = "default"
		list = append(list, *p)
	case len(choices) > 0 && !containsValue(choices, v):
		list.Add("default", problem.Choice, map[string]any{"choices": f.Choices})
	}
	return list
}

func containsValue(list []any, v any) bool {
	key := Canonical(v)
	for _, x := range list {
		if x != nil && Canonical(x) == key {
			return true
		}
	}
	return false
}
