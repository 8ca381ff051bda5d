package openapi

import (
	"forma.dev/backend/internal/records"
	"forma.dev/shared/access"
)

// addPaths adds the model's two path items: the collection and one record.
func (m *model) addPaths(paths obj) {
	n := m.def.Name
	v := m.view
	collection, one := obj{}, obj{}
	if v.allows(access.List) {
		collection["get"] = m.listOp()
	}
	if v.allows(access.Create) {
		collection["post"] = m.createOp()
	}
	if v.allows(access.Get) {
		one["get"] = m.getOp()
	}
	if v.allows(access.Update) {
		replaced := "Absent fields become their default, or null."
		if v != nil {
			replaced = "Absent fields this role writes become their default, or null; the others are left as they are."
		}
		one["put"] = m.updateOp("replace_", "Replace", inputName(n), replaced)
		one["patch"] = m.updateOp("update_", "Update", patchName(n), "Only the fields present change.")
	}
	if v.allows(access.Delete) {
		one["delete"] = m.deleteOp()
	}
	if len(collection) > 0 {
		paths["/data/"+n] = collection
	}
	if v.allows(access.List) {
		paths["/data/"+n+"/export"] = obj{"get": m.exportOp()}
		paths["/data/"+n+"/aggregate"] = obj{"get": m.aggregateOp()} // aggregate.go
	}
	if len(one) > 0 {
		one["parameters"] = []any{paramRef("RecordID")}
		paths["/data/"+n+"/{id}"] = one
	}
}

// op is an operation on the model with the given errors, as names of shared responses.
func (m *model) op(id, summary string, params []any, ok obj, errs ...string) obj {
	responses := obj{}
	for code, r := range ok {
		responses[code] = r
	}
	for _, e := range append([]string{"401", "403", "404"}, errs...) {
		responses[e] = responseRef(errorResponses[e].name)
	}
	return obj{
		"operationId": id + m.def.Name,
		"summary":     summary,
		"tags":        []any{m.def.Name},
		"parameters":  params,
		"responses":   responses,
	}
}

// recordResponse is an answer holding one record (or, with schema, something else).
func recordResponse(description string, s obj, etag bool) obj {
	headers := obj{schemaVersionHeader: headerRef("SchemaVersion")}
	if etag {
		headers["ETag"] = headerRef("ETag")
	}
	return obj{"description": description, "headers": headers, "content": jsonContent(s)}
}

func jsonContent(s obj) obj { return obj{"application/json": obj{"schema": s}} }

func (m *model) listOp() obj {
	n := m.def.Name
	ok := recordResponse("A page of "+n+" records.", schemaRef(listName(n)), false)
	return m.op("list_", "List "+n+" records", m.pageParameters(), obj{"200": ok}, "400")
}

// exportOp streams every record the list's filters select, as NDJSON or CSV.
func (m *model) exportOp() obj {
	n := m.def.Name
	var params []any
	for _, p := range m.listParameters() {
		if p, ok := p.(obj); ok && (p["name"] == "expand" || p["name"] == "format" || p["$ref"] == paramRef("Limit")["$ref"] || p["$ref"] == paramRef("Cursor")["$ref"]) {
			continue
		}
		params = append(params, p)
	}
	params = append(params, obj{"name": "format", "in": "query", "description": "ndjson: one record a line; csv: a header row of field names, then a row a record (null empty).",
		"schema": obj{"type": "string", "enum": []any{records.ExportNDJSON, records.ExportCSV}, "default": records.ExportNDJSON}})
	ok := obj{"description": "Every " + n + " record the filters select, streamed from one snapshot; a body broken off before its end is incomplete.",
		"headers": obj{schemaVersionHeader: headerRef("SchemaVersion")},
		"content": obj{
			"application/x-ndjson": obj{"schema": schemaRef(modelName(n))},
			"text/csv":             obj{"schema": obj{"type": "string"}},
		}}
	return m.op("export_", "Export "+n+" records", params, obj{"200": ok}, "400")
}

func (m *model) createOp() obj {
	n := m.def.Name
	input := schemaRef(inputName(n))
	bulk := obj{"type": "array", "items": input, "maxItems": records.MaxBulk}
	created := obj{"anyOf": []any{schemaRef(modelName(n)), obj{
		"type": "object", "required": []any{"data"},
		"properties": obj{"data": obj{"type": "array", "items": schemaRef(modelName(n))}},
	}, obj{
		"type": "object", "required": []any{"created"},
		"properties": obj{"created": obj{"type": "integer", "minimum": 0}},
	}}}
	prefer := obj{"name": "Prefer", "in": "header", "required": false, "schema": obj{"type": "string"},
		"description": "return=minimal (RFC 7240): an array is answered {\"created\": N} rather than its records, with Preference-Applied: return=minimal."}
	op := m.op("create_", "Create one "+n+" record, or several all or nothing",
		[]any{paramRef("SchemaVersion"), prefer},
		obj{"201": recordResponse("The record; for an array, {\"data\": [records]} (without an ETag), or {\"created\": N} with Prefer: return=minimal.", created, true)},
		"400", "409", "413", "503")
	op["description"] = "An object creates one record. An array creates all of its records in one transaction, or none of them when one is refused."
	op["requestBody"] = obj{"required": true, "content": jsonContent(obj{"oneOf": []any{input, bulk}})}
	return op
}

func (m *model) getOp() obj {
	n := m.def.Name
	params := []any{paramRef("SchemaVersion")}
	if p := m.expandParam(m.view.reads); p != nil {
		params = append(params, p)
	}
	ok := recordResponse("The record.", schemaRef(modelName(n)), true)
	return m.op("get_", "Get one "+n+" record", params, obj{"200": ok}, "400")
}

func (m *model) updateOp(verb, summary, body, description string) obj {
	n := m.def.Name
	ok := recordResponse("The record as written.", schemaRef(modelName(n)), true)
	op := m.op(verb, summary+" one "+n+" record", []any{paramRef("IfMatch"), paramRef("SchemaVersion")},
		obj{"200": ok}, "400", "409", "412", "413")
	op["description"] = description + " With If-Match, the write happens only if the record is unchanged since it was read."
	op["requestBody"] = obj{"required": true, "content": jsonContent(schemaRef(body))}
	return op
}

func (m *model) deleteOp() obj {
	n := m.def.Name
	gone := obj{"description": "Deleted.", "headers": obj{schemaVersionHeader: headerRef("SchemaVersion")}}
	op := m.op("delete_", "Delete one "+n+" record", []any{paramRef("IfMatch"), paramRef("SchemaVersion")},
		obj{"204": gone}, "409", "412")
	op["description"] = "409 when other records still refer to this one (on_delete restrict)."
	return op
}
