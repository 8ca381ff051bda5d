package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"

	"forma.dev/shared/access"
	"forma.dev/shared/aggregate"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/plan"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// export is one function the module exposes to JavaScript: every argument and the
// result are strings (JSON, but for validateRecord's mode and the field names of the
// field edits).
type export struct {
	args []string // argument names, for error messages
	fn   func(args []string) (string, error)
}

// exports lists the functions of globalThis.forma by their JavaScript name. They are
// pure (JSON in, JSON out), so bridge_test.go runs them natively on the golden cases
// that test/golden.mjs runs through the wasm module.
var exports = map[string]export{
	"fieldTypes": {nil, func([]string) (string, error) { return fieldTypes() }},
	"validateSchema": {[]string{"modelsJSON"}, func(a []string) (string, error) {
		return validateSchema(a[0])
	}},
	"validateModel": {[]string{"modelJSON", "modelNamesJSON"}, func(a []string) (string, error) {
		return validateModel(a[0], a[1])
	}},
	"validateRole": {[]string{"roleJSON", "modelsJSON"}, func(a []string) (string, error) {
		return validateRole(a[0], a[1])
	}},
	"validateAggregate": {[]string{"modelJSON", "query"}, func(a []string) (string, error) {
		return validateAggregate(a[0], a[1])
	}},
	"validateRecord": {[]string{"modelJSON", "recordJSON", "mode"}, func(a []string) (string, error) {
		return validateRecord(a[0], a[1], a[2])
	}},
	"plan": {[]string{"oldJSON", "newJSON"}, func(a []string) (string, error) {
		return planModel(a[0], a[1])
	}},
	"planSchema": {[]string{"oldModelsJSON", "newModelsJSON"}, func(a []string) (string, error) {
		return planSchema(a[0], a[1])
	}},
	"addField": {[]string{"modelJSON", "fieldJSON"}, func(a []string) (string, error) {
		return addField(a[0], a[1])
	}},
	"patchField": {[]string{"modelJSON", "name", "patchJSON"}, func(a []string) (string, error) {
		return patchField(a[0], a[1], a[2])
	}},
	"dropField": {[]string{"modelJSON", "name"}, func(a []string) (string, error) {
		return dropField(a[0], a[1])
	}},
	"renameField": {[]string{"modelJSON", "name", "to"}, func(a []string) (string, error) {
		return renameField(a[0], a[1], a[2])
	}},
}

// call runs the export name with args, checking their count and turning a panic into an
// error so that a bug in shared never takes the module down.
func call(name string, args []string) (out string, err error) {
	e, ok := exports[name]
	if !ok {
		return "", fmt.Errorf("forma: no function %q", name)
	}
	if len(args) != len(e.args) {
		return "", fmt.Errorf("forma.%s: want %d arguments %v, got %d", name, len(e.args), e.args, len(args))
	}
	defer func() {
		if r := recover(); r != nil {
			out, err = "", fmt.Errorf("forma.%s: internal error: %v", name, r)
		}
	}()
	return e.fn(args)
}

// fieldTypes returns the field-type registry as data: [{name, label, help, options, ...}].
func fieldTypes() (string, error) {
	return encode(fieldtype.Describe())
}

// validateSchema validates a whole tenant schema, a JSON array of models, and returns
// every problem found as a JSON array (empty when the schema is valid).
func validateSchema(modelsJSON string) (string, error) {
	models, err := decodeModels("modelsJSON", modelsJSON)
	if err != nil {
		return "", err
	}
	return encode(nonNil(schema.Validate(models)))
}

// validateModel validates one model whose relations may name the models in
// modelNamesJSON (a JSON array of strings), and returns its problems as a JSON array.
func validateModel(modelJSON, modelNamesJSON string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	var names []string
	if err := decode("modelNamesJSON", modelNamesJSON, &names); err != nil {
		return "", err
	}
	known := make(map[string]bool, len(names))
	for _, n := range names {
		known[n] = true
	}
	return encode(nonNil(schema.ValidateModel(m, func(name string) bool { return known[name] })))
}

// validateRole validates a custom role (its API form: permissions by model and action)
// against a whole tenant schema, a JSON array of models, and returns every problem found
// as a JSON array (empty when the role is valid).
func validateRole(roleJSON, modelsJSON string) (string, error) {
	var r access.Role
	if err := decode("roleJSON", roleJSON, &r); err != nil {
		return "", err
	}
	models, err := decodeModels("modelsJSON", modelsJSON)
	if err != nil {
		return "", err
	}
	_, problems := access.Compile(r, models)
	return encode(nonNil(problems))
}

// aggregateResult is what validateAggregate returns: the parsed aggregation when it is
// valid (null otherwise), its answer's columns, and every problem found.
type aggregateResult struct {
	Query    *aggregate.Query `json:"query"`
	Columns  [][2]string      `json:"columns"`
	Problems problem.List     `json:"problems"`
}

// validateAggregate reads an aggregation's query string (group_by, measures, having,
// sort, limit, tz, fill; a leading ? is dropped) against a model, as the server does
// before it reads the filters, which the designer leaves to the server, and returns
// {query, columns, problems}.
func validateAggregate(modelJSON, rawQuery string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	q, err := url.ParseQuery(strings.TrimPrefix(rawQuery, "?"))
	if err != nil {
		return "", fmt.Errorf("query: not a query string: %w", err)
	}
	agg, problems := aggregate.Parse(m, q)
	res := aggregateResult{Columns: [][2]string{}, Problems: nonNil(problems)}
	if len(problems) == 0 {
		res.Query, res.Columns = &agg, agg.Columns()
		if agg.Having == nil { // [] rather than null, for JavaScript
			agg.Having = []aggregate.Condition{}
		}
		if agg.Groups == nil {
			agg.Groups = []aggregate.Group{}
		}
		if agg.Sort == nil {
			agg.Sort = []aggregate.SortKey{}
		}
	}
	return encode(res)
}

// recordResult is what validateRecord returns: the normalised record when it is valid
// (null otherwise) and every problem found.
type recordResult struct {
	Record   map[string]any `json:"record"`
	Problems problem.List   `json:"problems"`
}

// validateRecord validates a record (a JSON object) against a model for mode "create",
// "replace" or "patch" and returns {record, problems}.
func validateRecord(modelJSON, recordJSON, mode string) (string, error) {
	var m schema.Model
	if err := decode("modelJSON", modelJSON, &m); err != nil {
		return "", err
	}
	var rec map[string]any
	if err := decode("recordJSON", recordJSON, &rec); err != nil {
		return "", err
	}
	if rec == nil {
		return "", errors.New("recordJSON: must be a JSON object")
	}
	md, ok := modes[mode]
	if !ok {
		return "", fmt.Errorf("mode: must be create, replace or patch, not %q", mode)
	}
	v, err := record.Compile(m)
	if err != nil {
		return "", fmt.Errorf("modelJSON: the model is not valid: %w", err)
	}
	out, problems := v.Validate(rec, md)
	return encode(recordResult{Record: out, Problems: nonNil(problems)})
}

// modes maps validateRecord's mode argument to record.Mode.
var modes = map[string]record.Mode{"create": record.Create, "replace": record.Replace, "patch": record.Patch}

// planModel returns the operations that take a model from oldJSON (null: the model does
// not exist yet) to newJSON (null: drop it), as a JSON array.
func planModel(oldJSON, newJSON string) (string, error) {
	var old, next *schema.Model
	if err := decode("oldJSON", oldJSON, &old); err != nil {
		return "", err
	}
	if err := decode("newJSON", newJSON, &next); err != nil {
		return "", err
	}
	return encode(nonNilOps(plan.Model(old, next)))
}

// planSchema returns the operations that take a whole tenant schema (a JSON array of
// models, matched by name) from oldJSON to newJSON, as a JSON array.
func planSchema(oldJSON, newJSON string) (string, error) {
	old, err := decodeModels("oldJSON", oldJSON)
	if err != nil {
		return "", err
	}
	next, err := decodeModels("newJSON", newJSON)
	if err != nil {
		return "", err
	}
	return encode(nonNilOps(plan.Schema(old, next)))
}

// decodeModels reads a JSON array of models; null counts as no models.
func decodeModels(arg, in string) ([]schema.Model, error) {
	var models []schema.Model
	if err := decode(arg, in, &models); err != nil {
		return nil, err
	}
	return models, nil
}

// nonNilOps makes an empty plan encode as [] rather than null.
func nonNilOps(ops []plan.Op) []plan.Op {
	if ops == nil {
		return []plan.Op{}
	}
	return ops
}

// nonNil makes an empty problem list encode as [] rather than null.
func nonNil(l problem.List) problem.List {
	if l == nil {
		return problem.List{}
	}
	return l
}

// decode reads one JSON value, keeping numbers as json.Number so that decimals keep
// their digits, and refusing trailing data.
func decode(arg, in string, v any) error {
	dec := json.NewDecoder(bytes.NewReader([]byte(in)))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("%s: invalid JSON: %w", arg, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return fmt.Errorf("%s: invalid JSON: %w", arg, errors.New("data after the value"))
	}
	return nil
}

// encode renders v as compact JSON; an empty problem list renders as [].
func encode(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("forma: encode result: %w", err)
	}
	return string(b), nil
}
