package openapi

import "forma.dev/shared/access"

// The change streams (Server-Sent Events; README "Live changes", docs/realtime.md).
// OpenAPI 3.1 has no schema for the events of a stream: the response says what each
// event is, and x-forma-events gives each event's data schema by event name.

// addChangesPath adds the model's change stream, for the roles that may get its records.
func (m *model) addChangesPath(paths obj) {
	if m.view.allows(access.Get) {
		paths["/data/"+m.def.Name+"/changes"] = obj{"get": m.changesOp()}
	}
}

func (m *model) changesOp() obj {
	n := m.def.Name
	filters, names, _ := m.filterParameters(m.view.gets)
	params := append([]any{paramRef("SchemaVersion"), lastEventIDParam()}, filters...)
	params = append(params, fieldsParam(names))
	record := obj{"type": "object", "required": []any{"schema_version", "record"}, "properties": obj{
		"schema_version": obj{"type": "integer", "format": "int64"},
		"record":         schemaRef(modelName(n)),
	}}
	events := obj{"record.created": record, "record.updated": record, "record.deleted": record}
	for name, s := range streamEvents("schema_changed", "unauthorized") {
		events[name] = s
	}
	ok := streamResponse("The "+n+" records' changes as they commit, in commit order, as Server-Sent Events: "+
		"record.created, record.updated and record.deleted (a deleted record as it was), each with the record "+
		"as a get answers it (trimmed to fields) and the schema version it was written with; "+streamEventsDoc, events)
	op := m.op("changes_", "Follow "+n+" records' changes", params, obj{"200": ok}, "400")
	addStreamErrors(op)
	op["description"] = "The list's filters narrow the stream and fields trims it; sort, limit, cursor and expand are refused (400). " +
		"Reconnect with Last-Event-ID to resume after an event."
	return op
}

// tenantChangesPath is the tenant's stream: its schema changes, and with records=true
// every model's record changes. Admin keys only: a custom role's document leaves it out.
func tenantChangesPath() obj {
	schemaChanged := obj{"type": "object", "required": []any{"schema_version"}, "properties": obj{
		"schema_version": obj{"type": "integer", "format": "int64"},
		"plan":           obj{"type": "array", "items": obj{"type": "object"}, "description": "The change's plan, as the models routes answer it."},
	}}
	record := obj{"type": "object", "required": []any{"model", "schema_version", "record"}, "properties": obj{
		"model":          obj{"type": "string"},
		"schema_version": obj{"type": "integer", "format": "int64"},
		"record":         obj{"type": "object", "description": "The whole record, as a get by an admin key answers it."},
	}}
	events := obj{"schema.changed": schemaChanged, "record.created": record, "record.updated": record, "record.deleted": record}
	for name, s := range streamEvents("unauthorized") {
		events[name] = s
	}
	ok := streamResponse("The tenant's schema changes as they commit (schema.changed: the new version and the plan), and with records=true "+
		"every model's record changes (record.created, record.updated, record.deleted, each naming its model), all in commit order, "+
		"as Server-Sent Events; "+streamEventsDoc, events)
	responses := obj{"200": ok}
	for _, e := range []string{"400", "401", "403"} {
		responses[e] = responseRef(errorResponses[e].name)
	}
	op := obj{
		"operationId": "changes",
		"summary":     "Follow the tenant's schema changes (admin keys)",
		"description": "Admin keys only. Reconnect with Last-Event-ID to resume after an event.",
		"tags":        []any{"tenant-changes"},
		"parameters": []any{lastEventIDParam(), obj{"name": "records", "in": "query",
			"description": "true: every model's record changes too, whole.",
			"schema":      obj{"type": "boolean", "default": false}}},
		"responses": responses,
	}
	addStreamErrors(op)
	return obj{"get": op}
}

// streamEventsDoc describes the events every stream may send besides its changes.
const streamEventsDoc = "ready first (its id is the position the stream starts after), reset when Last-Event-ID is older than " +
	"the resume window (reload, then resume from its id), overflow when the client fell too far behind, end when the stream " +
	"ends (data.reason says why); a comment line as heartbeat. Each event's id is a position to resume from."

// streamEvents are the data schemas of the events every stream may send besides its
// changes; ends are the reasons its end event may give.
func streamEvents(ends ...any) obj {
	version := obj{"type": "object", "required": []any{"schema_version"}, "properties": obj{
		"schema_version": obj{"type": "integer", "format": "int64"}}}
	reason := func(reasons ...any) obj {
		return obj{"type": "object", "required": []any{"reason"}, "properties": obj{
			"reason": obj{"type": "string", "enum": reasons}}}
	}
	reset := reason("expired")
	reset["properties"].(obj)["schema_version"] = obj{"type": "integer", "format": "int64"}
	overflow := reason("slow_client")
	overflow["properties"].(obj)["resume_from"] = obj{"type": "string"}
	return obj{
		"ready":    version,
		"reset":    reset,
		"overflow": overflow,
		"end":      reason(ends...),
	}
}

// streamResponse is a stream's 200: text/event-stream, its events' data by name.
func streamResponse(description string, events obj) obj {
	return obj{
		"description":    description,
		"headers":        obj{schemaVersionHeader: headerRef("SchemaVersion")},
		"content":        obj{"text/event-stream": obj{"schema": obj{"type": "string"}}},
		"x-forma-events": events,
	}
}

func lastEventIDParam() obj {
	return obj{"name": "Last-Event-ID", "in": "header", "schema": obj{"type": "string"},
		"description": "Resume after this event's id: every change since arrives first. A malformed id, or one of another stream, is a 400."}
}

// addStreamErrors adds the answers a stream that cannot open gets: too many streams.
func addStreamErrors(op obj) {
	problem := obj{"application/problem+json": obj{"schema": schemaRef("ProblemDetails")}}
	r := op["responses"].(obj)
	r["429"] = obj{"description": "The tenant has as many change streams open on this server as it may; close one first.", "content": problem}
	r["503"] = obj{"description": "This server has as many change streams open as it may; try again later or on another server.", "content": problem}
}
