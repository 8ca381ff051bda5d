package openapi

import (
	"strconv"

	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/records"
)

// schemaVersionHeader carries the schema version an answer was served with; sent on a
// request, it asks for at least that version.
const schemaVersionHeader = "Forma-Schema-Version"

func schemaRef(name string) obj   { return obj{"$ref": "#/components/schemas/" + name} }
func paramRef(name string) obj    { return obj{"$ref": "#/components/parameters/" + name} }
func responseRef(name string) obj { return obj{"$ref": "#/components/responses/" + name} }
func headerRef(name string) obj   { return obj{"$ref": "#/components/headers/" + name} }

// errorResponses are the shared error answers by status: a name and a description.
var errorResponses = map[string]struct{ name, description string }{
	"400": {"BadRequest", "The request or its values are not valid; errors lists every problem."},
	"401": {"Unauthorized", "No API key, or a key that does not exist."},
	"403": {"Forbidden", "The key's role may not do this (read keys cannot write)."},
	"404": {"NotFound", "No such model or record."},
	"409": {"Conflict", "A unique value exists already, a related record is missing, or other records refer to this one."},
	"412": {"PreconditionFailed", "If-Match does not match the record's current ETag."},
	"413": {"TooLarge", "The body is too large, or a bulk write holds more than " + strconv.Itoa(records.MaxBulk) + " records."},
	"503": {"Unavailable", "The connection to the database was lost while the record was being written; outcome \"unknown\": it may or may not have been written."},
}

// components returns the parts every document shares; the models add their schemas.
func components() obj {
	responses := obj{}
	for _, r := range errorResponses {
		responses[r.name] = obj{"description": r.description,
			"content": obj{"application/problem+json": obj{"schema": schemaRef("ProblemDetails")}}}
	}
	return obj{
		"schemas":   obj{"ProblemDetails": problemSchema(), "ValidationError": validationErrorSchema()},
		"responses": responses,
		"parameters": obj{
			"RecordID": obj{"name": "id", "in": "path", "required": true,
				"schema": obj{"type": "integer", "format": "int64", "minimum": 1}},
			"SchemaVersion": obj{"name": schemaVersionHeader, "in": "header",
				"description": "Serve with at least this schema version (read your own schema changes).",
				"schema":      obj{"type": "integer", "format": "int64", "minimum": 0}},
			"IfMatch": obj{"name": "If-Match", "in": "header",
				"description": "Write only if the record's ETag still is this one (412 otherwise); * or absent: always.",
				"schema":      obj{"type": "string"}},
			"Limit": obj{"name": "limit", "in": "query", "description": "Records per page.",
				"schema": obj{"type": "integer", "minimum": 1, "maximum": query.MaxLimit, "default": query.DefaultLimit}},
			"Cursor": obj{"name": "cursor", "in": "query",
				"description": "The next_cursor of the previous page; keep the same filters and sort.",
				"schema":      obj{"type": "string"}},
			"Total": obj{"name": "total", "in": "query",
				"description": "true: the page also holds total, how many records the filters select (exact up to a bound the server sets, then the planner's estimate, with total_estimated true).",
				"schema":      obj{"type": "boolean", "default": false}},
		},
		"headers": obj{
			"ETag": obj{"description": "The record's entity tag, for If-Match.",
				"schema": obj{"type": "string"}},
			"SchemaVersion": obj{"description": "The schema version the answer was served with.",
				"schema": obj{"type": "integer", "format": "int64"}},
		},
		"securitySchemes": obj{"bearer": obj{"type": "http", "scheme": "bearer",
			"description": "A tenant API key. read keys may list and get; write and admin keys may also create, update and delete."}},
	}
}

// problemSchema is an error answer: RFC 9457 problem details with Forma's members.
func problemSchema() obj {
	return obj{
		"type":     "object",
		"title":    "Problem details (RFC 9457)",
		"required": []any{"type", "title", "status", "detail", "code"},
		"properties": obj{
			"type":   obj{"type": "string", "format": "uri-reference"},
			"title":  obj{"type": "string", "description": "The HTTP status text."},
			"status": obj{"type": "integer", "description": "The HTTP status code."},
			"detail": obj{"type": "string", "description": "What went wrong, in one line."},
			"code":   obj{"type": "string", "description": "A stable error code, e.g. invalid, not_found, conflict, precondition_failed."},
			"errors": obj{"type": "array", "items": schemaRef("ValidationError"),
				"description": "Every problem found, for validation errors."},
		},
	}
}

// validationErrorSchema is one problem of an input, as shared/problem reports it.
func validationErrorSchema() obj {
	return obj{
		"type":     "object",
		"required": []any{"path", "code", "message"},
		"properties": obj{
			"path":    obj{"type": "string", "description": "Where in the input, e.g. a field name or \"[2].price\"; empty for the whole input."},
			"code":    obj{"type": "string", "description": "A stable code, e.g. required, max_length, choice, unknown_field."},
			"message": obj{"type": "string", "description": "The problem in English."},
			"params":  obj{"type": "object", "description": "The parameters the message was built from, e.g. {\"max_length\": 3}."},
		},
	}
}
