package main

import (
	"errors"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// editResult is what the field edits return: the model after the edit (null when it
// cannot be made) and the problems of the edit.
type editResult struct {
	Model    *schema.Model `json:"model"`
	Problems problem.List  `json:"problems"`
}

// editAnswer encodes the outcome of one schema edit as {model, problems}.
func editAnswer(m schema.Model, problems problem.List) (string, error) {
	if len(problems) > 0 {
		return encode(editResult{Problems: problems})
	}
	return encode(editResult{Model: &m, Problems: problem.List{}})
}

// addField appends a field to a model (schema.AddField).
func addField(modelJSON, fieldJSON string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	var f *schema.Field
	if err := decode("fieldJSON", fieldJSON, &f); err != nil {
		return "", err
	}
	if f == nil {
		return "", errors.New("fieldJSON: must be a JSON object")
	}
	return editAnswer(schema.AddField(m, *f))
}

// patchField applies a JSON merge patch to a field of a model (schema.PatchField).
func patchField(modelJSON, name, patchJSON string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	var patch map[string]any
	if err := decode("patchJSON", patchJSON, &patch); err != nil {
		return "", err
	}
	if patch == nil {
		return "", errors.New("patchJSON: must be a JSON object")
	}
	return editAnswer(schema.PatchField(m, name, patch))
}

// dropField drops a field of a model, with the groups and indexes that name it (schema.DropField).
func dropField(modelJSON, name string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	return editAnswer(schema.DropField(m, name))
}

// renameField renames a field of a model, in its groups and indexes too (schema.RenameField).
func renameField(modelJSON, name, to string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	return editAnswer(schema.RenameField(m, name, to))
}
