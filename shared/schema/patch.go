package schema

import (
	"bytes"
	"encoding/json"
	"strings"

	"forma.dev/shared/problem"
)

// PatchField returns m with the field name changed by a JSON merge patch (RFC 7396) of
// its attributes: a member replaces the attribute, null removes it, an object is merged
// into the attribute's object (options). The id cannot change (read_only at "id"); a
// member that is no attribute is not_allowed, one of the wrong JSON type invalid_type,
// at its name. A new name is a rename, followed in unique_together and indexes as by
// RenameField. Besides these and those every field edit reports (unknown_field,
// duplicate), it reports nothing: ValidateModel judges the field.
func PatchField(m Model, name string, patch map[string]any) (Model, problem.List) {
	i, problems := fieldIndex(m, name)
	if problems != nil {
		return Model{}, problems
	}
	f := m.Fields[i]
	if id, ok := patch["id"]; ok && id != f.ID {
		return Model{}, problem.List{problem.New("id", problem.ReadOnly, nil)}
	}
	doc, err := fieldDoc(f)
	if err != nil {
		return Model{}, problem.List{problem.New("", problem.InvalidValue, map[string]any{"reason": err.Error()})}
	}
	out, problems := decodeField(mergePatch(doc, patch))
	if problems != nil {
		return Model{}, problems
	}
	out.ID = f.ID
	if out.Name != name {
		if m, problems = RenameField(m, name, out.Name); problems != nil { // a copy of m
			return Model{}, problems
		}
	} else {
		m.Fields = append([]Field(nil), m.Fields...)
	}
	m.Fields[i] = out
	return m, nil
}

// fieldDoc renders f as the JSON object it is sent as, numbers kept as written.
func fieldDoc(f Field) (map[string]any, error) {
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	return doc, dec.Decode(&doc)
}

// mergePatch applies patch to target as RFC 7396 says; it changes target.
func mergePatch(target map[string]any, patch map[string]any) map[string]any {
	if target == nil {
		target = map[string]any{}
	}
	for k, v := range patch {
		switch pv := v.(type) {
		case nil:
			delete(target, k)
		case map[string]any:
			tv, _ := target[k].(map[string]any)
			target[k] = mergePatch(tv, pv)
		default:
			target[k] = v
		}
	}
	return target
}

// decodeField reads a field from its JSON object, reporting a member that is no
// attribute or has the wrong JSON type.
func decodeField(doc map[string]any) (Field, problem.List) {
	var f Field
	raw, err := json.Marshal(doc)
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		dec.DisallowUnknownFields()
		err = dec.Decode(&f)
	}
	typeError, _ := err.(*json.UnmarshalTypeError)
	switch {
	case err == nil:
		return f, nil
	case typeError != nil:
		return Field{}, problem.List{problem.WrongJSONType(typeError)}
	}
	if member, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		member = strings.Trim(member, `"`)
		return Field{}, problem.List{{Path: member, Code: problem.NotAllowed,
			Message: "is not an attribute of a field", Params: map[string]any{"attribute": member}}}
	}
	return Field{}, problem.List{problem.New("", problem.InvalidValue, map[string]any{"reason": err.Error()})}
}
