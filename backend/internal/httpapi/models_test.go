package httpapi_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/shared/schema"
)

const eventBody = `{"name": "event", "unique_together": [["country", "source"]], "fields": [
	{"name": "timestamp", "type": "datetime", "required": true, "options": {"auto_now_add": true}},
	{"name": "country", "type": "text", "required": true, "options": {"max_length": 3},
	 "choices": ["PL", "DE", "US"], "default": "PL", "index": true},
	{"name": "source", "type": "text", "options": {"max_length": 10}},
	{"name": "value", "type": "integer", "options": {"min": 0}}]}`

func TestModelEndpoints(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.Tenant(t, "other")
	const base = "/api/v1/t/acme/models"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "no models yet", Method: "GET", Path: base, Key: acme.Admin, Status: 200, Contains: []string{`"data":[]`, `"version":0`}},
		{Name: "write key may not change the schema", Method: "PUT", Path: base + "/event", Key: acme.Write, Body: eventBody, Status: 403},
		{Name: "plan shows the SQL", Method: "POST", Path: base + "/event/plan", Key: acme.Admin, Body: eventBody, Status: 200,
			Contains: []string{`"dry_run":true`, `CREATE TABLE \"t1_acme\".\"event\"`, `"kind":"create_table"`}},
		{Name: "plan applied nothing", Method: "GET", Path: base + "/event", Key: acme.Admin, Status: 404},
		{Name: "put creates", Method: "PUT", Path: base + "/event", Key: acme.Admin, Body: eventBody, Status: 200,
			Contains: []string{`"version":1`, `"changed":true`, `"name":"country"`, `"id":"`}},
		{Name: "same put is a no-op", Method: "PUT", Path: base + "/event", Key: acme.Admin, Body: eventBody, Status: 200,
			Contains: []string{`"version":1`, `"changed":false`, `"plan":[]`}},
		{Name: "name filled from the URL", Method: "PUT", Path: base + "/tag", Key: acme.Admin,
			Body: `{"fields": [{"name": "label", "type": "text"}]}`, Status: 200, Contains: []string{`"name":"tag"`, `"version":2`}},
		{Name: "name must match the URL", Method: "PUT", Path: base + "/tag", Key: acme.Admin,
			Body: `{"name": "other", "fields": []}`, Status: 400, Contains: []string{`"path":"name"`}},
		{Name: "problems relative to the model", Method: "PUT", Path: base + "/tag", Key: acme.Admin,
			Body: `{"fields": [{"name": "Bad Name", "type": "text"}]}`, Status: 400, Contains: []string{`"path":"fields[0].name"`}},
		{Name: "unknown member", Method: "PUT", Path: base + "/tag", Key: acme.Admin,
			Body: `{"fields": [{"name": "label", "type": "text", "requried": true}]}`, Status: 400},
		{Name: "malformed JSON", Method: "PUT", Path: base + "/tag", Key: acme.Admin, Body: `{"fields": [`, Status: 400},
		{Name: "add a field", Method: "POST", Path: base + "/tag/fields", Key: acme.Admin,
			Body: `{"name": "color", "type": "text", "default": "red"}`, Status: 201, Contains: []string{`"kind":"add_column"`, `"version":3`}},
		{Name: "add it again", Method: "POST", Path: base + "/tag/fields", Key: acme.Admin,
			Body: `{"name": "color", "type": "text"}`, Status: 409},
		{Name: "rename by patch", Method: "PATCH", Path: base + "/tag/fields/color", Key: acme.Admin,
			Body: `{"name": "colour", "default": null}`, Status: 200, Contains: []string{`"kind":"rename_column"`, `"kind":"drop_default"`}},
		{Name: "patch an unknown field", Method: "PATCH", Path: base + "/tag/fields/nope", Key: acme.Admin, Body: `{"unique": true}`, Status: 404},
		{Name: "delete a field needs the flag", Method: "DELETE", Path: base + "/tag/fields/colour", Key: acme.Admin, Status: 409,
			Contains: []string{`"plan":[`, `"data_loss":true`}},
		{Name: "delete a field", Method: "DELETE", Path: base + "/tag/fields/colour?allow_data_loss=true", Key: acme.Admin, Status: 200,
			Contains: []string{`"kind":"drop_column"`}},
		{Name: "an index over a field", Method: "PUT", Path: base + "/tag", Key: acme.Admin,
			Body:   `{"indexes": [["label", "-size"], ["label"]], "fields": [{"name": "label", "type": "text"}, {"name": "size", "type": "integer"}]}`,
			Status: 200, Contains: []string{`"kind":"add_model_index"`}},
		{Name: "deleting a field drops the indexes that use it", Method: "DELETE", Path: base + "/tag/fields/size?allow_data_loss=true", Key: acme.Admin,
			Status: 200, Contains: []string{`"kind":"drop_model_index"`, `"indexes":[["label"]]`}},
		{Name: "unknown model", Method: "POST", Path: base + "/nope/fields", Key: acme.Admin, Body: `{"name": "a", "type": "text"}`, Status: 404},
		{Name: "other tenant sees nothing", Method: "GET", Path: "/api/v1/t/other/models", Key: acme.Admin, Status: 404},
		{Name: "history", Method: "GET", Path: "/api/v1/t/acme/schema/history?limit=2", Key: acme.Admin, Status: 200,
			Contains: []string{`"next_before":6`, `"actor":"key:`, `"sql":[`}},
		{Name: "drift is clean", Method: "GET", Path: "/api/v1/t/acme/schema/drift", Key: acme.Admin, Status: 200,
			Contains: []string{`"in_sync":true`}},
		{Name: "a plan that loses data says what it needs", Method: "POST", Path: base + "/tag/plan", Key: acme.Admin,
			Body: `{"fields": []}`, Status: 200, Contains: []string{`"dry_run":true`, `"refused_without":"allow_data_loss"`,
				`"data_loss":true`, `DROP COLUMN \"label\"`, `"model":{"name":"tag"`}, Excludes: []string{`"models"`, `"hash"`}},
		{Name: "a plan with the flag needs nothing", Method: "POST", Path: base + "/tag/plan?allow_data_loss=true", Key: acme.Admin,
			Body: `{"fields": []}`, Status: 200, Contains: []string{`"dry_run":true`, `"data_loss":true`}, Excludes: []string{`refused_without`}},
		{Name: "a plan that loses data still validates", Method: "POST", Path: base + "/tag/plan", Key: acme.Admin,
			Body: `{"fields": [{"name": "Bad", "type": "text"}]}`, Status: 400},
		{Name: "the plans applied nothing", Method: "GET", Path: base + "/tag", Key: acme.Admin, Status: 200, Contains: []string{`"name":"label"`}},
		{Name: "delete the model needs the flag", Method: "DELETE", Path: base + "/tag", Key: acme.Admin, Status: 409},
		{Name: "delete the model", Method: "DELETE", Path: base + "/tag?allow_data_loss=true", Key: acme.Admin, Status: 200,
			Contains: []string{`"kind":"drop_table"`}},
		{Name: "deleted", Method: "GET", Path: base + "/tag", Key: acme.Admin, Status: 404},
	})
}

func TestIfMatchAndETag(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	put := func(ifMatch, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("PUT", "/api/v1/t/acme/models/event", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+acme.Admin)
		if ifMatch != "" {
			req.Header.Set("If-Match", ifMatch)
		}
		rec := httptest.NewRecorder()
		s.App.Handler.ServeHTTP(rec, req)
		return rec
	}
	if rec := put(`"0"`, eventBody); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"1"` {
		t.Fatalf("first put: %d ETag %q %s", rec.Code, rec.Header().Get("ETag"), rec.Body)
	}
	changed := strings.Replace(eventBody, `"max_length": 10`, `"max_length": 20`, 1)
	if rec := put(`"0"`, changed); rec.Code != http.StatusPreconditionFailed {
		t.Fatalf("stale If-Match: %d %s", rec.Code, rec.Body)
	}
	if rec := put(`"1"`, changed); rec.Code != http.StatusOK || rec.Header().Get("ETag") != `"2"` {
		t.Fatalf("fresh If-Match: %d %s", rec.Code, rec.Body)
	}
}

// TestDefinitionBodies sends the schema routes bodies that are not definitions, or that
// hold what Postgres cannot store or more than the bounds allow: every one is a 400
// naming what is wrong, and nothing is created.
func TestDefinitionBodies(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	const base = "/api/v1/t/acme/models"
	many := func(n int, item func(i int) string) string {
		parts := make([]string, n)
		for i := range parts {
			parts[i] = item(i)
		}
		return strings.Join(parts, ",")
	}
	fields1601 := `{"fields": [` + many(1601, func(i int) string { return fmt.Sprintf(`{"name": "f%d", "type": "integer"}`, i) }) + `]}`
	choices := `{"name": "c", "type": "text", "choices": [` + many(schema.MaxChoices+1, func(i int) string { return fmt.Sprintf(`"%d"`, i) }) + `]}`
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "null model", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: `null`, Status: 400,
			Contains: []string{`JSON object`}},
		{Name: "array for a model", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: `[]`, Status: 400},
		{Name: "string for a model", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: `"x"`, Status: 400},
		{Name: "fields null", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: `{"fields": null}`, Status: 400,
			Contains: []string{`"path":"fields","code":"required"`}},
		{Name: "fields missing", Method: "POST", Path: base + "/x/plan", Key: acme.Admin, Body: `{"name": "x"}`, Status: 400,
			Contains: []string{`"path":"fields","code":"required"`}},
		{Name: "nothing was created", Method: "GET", Path: base + "/x", Key: acme.Admin, Status: 404},
		{Name: "NUL in a field label", Method: "PUT", Path: base + "/x", Key: acme.Admin,
			Body:   `{"fields": [{"name": "a", "type": "text"}, {"name": "b", "type": "text", "label": "b\u0000"}]}`,
			Status: 400, Contains: []string{`"path":"fields[1].label","code":"invalid_value"`}},
		{Name: "NUL in the model's description", Method: "PUT", Path: base + "/x", Key: acme.Admin,
			Body: `{"description": "\u0000", "fields": []}`, Status: 400, Contains: []string{`"path":"description","code":"invalid_value"`}},
		{Name: "NUL in a pattern", Method: "PUT", Path: base + "/x", Key: acme.Admin,
			Body:   `{"fields": [{"name": "a", "type": "text", "options": {"pattern": "\u0000"}}]}`,
			Status: 400, Contains: []string{`"path":"fields[0].options.pattern","code":"invalid_value"`}},
		{Name: "a label of 1 MB", Method: "PUT", Path: base + "/x", Key: acme.Admin,
			Body: `{"label": "` + strings.Repeat("l", 1<<20) + `", "fields": []}`, Status: 400, Contains: []string{`"path":"label","code":"too_long"`}},
		{Name: "1601 fields", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: fields1601, Status: 400,
			Contains: []string{`"path":"fields","code":"max_items"`}},
		{Name: "a model to add fields to", Method: "PUT", Path: base + "/x", Key: acme.Admin, Body: `{"fields": []}`, Status: 200},
		{Name: "null field", Method: "POST", Path: base + "/x/fields", Key: acme.Admin, Body: `null`, Status: 400,
			Contains: []string{`JSON object`}},
		{Name: "NUL in a field's help", Method: "POST", Path: base + "/x/fields", Key: acme.Admin,
			Body: `{"name": "a", "type": "text", "help": "\u0000"}`, Status: 400, Contains: []string{`"path":"help","code":"invalid_value"`}},
		{Name: "too many choices", Method: "POST", Path: base + "/x/fields", Key: acme.Admin, Body: choices, Status: 400,
			Contains: []string{`"path":"choices","code":"max_items"`}},
		{Name: "NUL in a default, by patch", Method: "POST", Path: base + "/x/fields", Key: acme.Admin,
			Body: `{"name": "a", "type": "text"}`, Status: 201},
		{Method: "PATCH", Path: base + "/x/fields/a", Key: acme.Admin, Body: `{"default": "\u0000"}`, Status: 400,
			Contains: []string{`"path":"fields[0].default","code":"invalid_value"`}},
		{Name: "null snapshot", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Body: `null`, Status: 400},
		{Name: "snapshot without models", Method: "PUT", Path: "/api/v1/t/acme/schema?allow_data_loss=true", Key: acme.Admin,
			Body: `{}`, Status: 400, Contains: []string{`"path":"models","code":"required"`}},
		{Name: "snapshot with a null model", Method: "POST", Path: "/api/v1/t/acme/schema/plan", Key: acme.Admin,
			Body: `{"models": [null, {"name": "y"}]}`, Status: 400,
			Contains: []string{`"path":"models[0]","code":"required"`, `"path":"models[1].fields","code":"required"`}},
		{Name: "the model is as it was", Method: "GET", Path: base + "/x", Key: acme.Admin, Status: 200,
			Contains: []string{`"fields":[{"id":`}, Excludes: []string{`"default"`}},
	})
}
