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
	checkText(&list, "label", f.Label, MaxLabelBytes)
	checkText(&list, "help", f.Help, MaxHelpBytes)
	checkText(&list, "description", f.Description, MaxDescriptionBytes)
	switch _, known := fieldtype.Lookup(f.Type); {
	case f.Type == "":
		list.Add("type", problem.Required, nil)
		return list
	case !known && len(f.Type) > MaxNameBytes:
		list.Add("type", problem.TooLong, map[string]any{"max": MaxNameBytes})
		return list
	case !known:
		list.Add("type", problem.UnknownType, map[string]any{"type": f.Type})
		return list
	}
	bare := f
	bare.Choices = nil // checkValues normalises them, once
	r := Resolve(bare)
	list.Append("options", r.Options)
	if p := checkRelatedModel(f, r.Desc.Relation, modelExists); p != nil {
		list = append(list, *p)
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

// checkRelatedModel reports what is wrong with f's related_model, at path
// "related_model": a relation (relation is true for its type) needs the name of a model
// that exists; any other type takes none.
func checkRelatedModel(f Field, relation bool, exists func(string) bool) *problem.Problem {
	var p problem.Problem
	switch {
	case relation && f.RelatedModel == "":
		p = problem.New("related_model", problem.Required, nil)
	case relation && len(f.RelatedModel) > MaxNameBytes:
		p = problem.New("related_model", problem.TooLong, map[string]any{"max": MaxNameBytes})
	case relation && !exists(f.RelatedModel):
		p = problem.New("related_model", problem.UnknownModel, map[string]any{"name": f.RelatedModel})
	case !relation && f.RelatedModel != "":
		p = problem.New("related_model", problem.NotAllowed, map[string]any{"attribute": "related_model"})
	default:
		return nil
	}
	return &p
}

// checkValues checks choices and default against the type, the options, their bounds
// and each other.
func checkValues(f Field, r Resolved) problem.List {
	var list problem.List
	if len(f.Choices) > 0 && !r.Desc.Choices {
		list.Add("choices", problem.NotAllowed, map[string]any{"attribute": "choices"})
	}
	checkChoices := len(f.Choices) > 0 && r.Desc.Choices && !tooMany(&list, "choices", len(f.Choices), MaxChoices)
	if checkChoices {
		for i, c := range f.Choices {
			if valueBytes(c) > MaxChoiceBytes {
				list.Add(problem.Index("choices", i), problem.TooLong, map[string]any{"max": MaxChoiceBytes})
				checkChoices = false // normalised, they would only be reported again
			}
		}
	}
	checkDefault := f.Default != nil
	if checkDefault && valueBytes(f.Default) > MaxDefaultBytes {
		list.Add("default", problem.TooLong, map[string]any{"max": MaxDefaultBytes})
		checkDefault = false
	}
	if r.Codec == nil {
		return list // invalid options: values cannot be checked yet
	}
	var choices []any
	if checkChoices {
		var more problem.List
		choices, more = fieldtype.NormalizeChoices(r.Codec, f.Choices)
		list.Append("choices", more)
	}
	if !checkDefault {
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
