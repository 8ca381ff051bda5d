package httpapi_test

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apitest"
)

// A write's answer shows a row as the get rule reads it only when the get rule's filter
// holds the row as written; any other row only with the fields the write's rule writes.
func TestCustomRoleWriteAnswers(t *testing.T) {
	t.Parallel()
	s, acme, author, _, authorID := rolesServer(t)
	me := `"owner":"key:` + itoa(authorID) + `"`
	const data = "/api/v1/t/acme/data/"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "posts", Method: "POST", Path: data + "post", Key: acme.Write, Status: 201, Body: `[
			{"title":"draft-mine","body":"secret-body","status":"draft",` + me + `},
			{"title":"pub-mine","body":"b","status":"published",` + me + `}]`},
		// inside update's filter, outside get's: only what update writes
		{Name: "patch outside get", Method: "PATCH", Path: data + "post/1", Key: author, Body: `{}`, Status: 200,
			Contains: []string{`{"title":"draft-mine","status":"draft"}`}, Excludes: []string{`"id"`, `"owner"`, `"author"`, "secret-body"}},
		{Name: "put outside get", Method: "PUT", Path: data + "post/1", Key: author, Body: `{"title":"draft-mine"}`, Status: 200,
			Excludes: []string{`"id"`, `"owner"`, `"author"`}},
		// inside both: as get reads it
		{Name: "patch inside get", Method: "PATCH", Path: data + "post/2", Key: author, Body: `{}`, Status: 200,
			Contains: []string{`{"id":2,"title":"pub-mine",` + me + `,"author":null}`}, Excludes: []string{`"status"`}},
		// moved out of get's filter by the write itself
		{Name: "patch out of get", Method: "PATCH", Path: data + "post/2", Key: author, Body: `{"status":"draft"}`, Status: 200,
			Excludes: []string{`"id"`, `"owner"`}},
		// create: a draft is outside get's filter, a published post inside
		{Name: "create outside get", Method: "POST", Path: data + "post", Key: author, Body: `{"title":"d","status":"draft"}`, Status: 201,
			Excludes: []string{`"id"`, `"owner"`}},
		{Name: "bulk create, one of each", Method: "POST", Path: data + "post", Key: author,
			Body: `[{"title":"d2","status":"draft"},{"title":"p2","status":"published"}]`, Status: 201,
			Contains: []string{`"title":"d2","status":"draft"`, `"title":"p2",` + me}},
	})
}

// GET /t/{tenant} with a custom role tells nothing of the tenant's internals: no id,
// schema, limits nor usage, and only the models its rules name.
func TestCustomRoleWhoami(t *testing.T) {
	t.Parallel()
	s, acme, author, reader, authorID := rolesServer(t)
	hidden := []string{`"usage"`, `"limits"`, `"own_limits"`, `"schema`, `"storage_bytes"`, `"rows_per_model"`, `"audit"`, `"created_at"`}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "author", Method: "GET", Path: "/api/v1/t/acme", Key: author, Status: 200,
			Contains: []string{`{"key":{"id":` + itoa(authorID) + `,"role":"author"},"models":["person","post"],"tenant":{"name":"`},
			Excludes: hidden},
		{Name: "reader", Method: "GET", Path: "/api/v1/t/acme", Key: reader, Status: 200,
			Contains: []string{`"models":["post"]`, `"slug":"acme"`}, Excludes: append(hidden, `"person"`)},
		{Name: "a token has no key id", Method: "GET", Path: "/api/v1/t/acme", Status: 200,
			Key:      sign(t, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"role": "team"})),
			Contains: []string{`"key":{"role":"team"}`, `"models":["post"]`}, Excludes: hidden},
		{Name: "a built-in role sees it all", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200,
			Contains: []string{`"usage"`, `"limits"`, `"audit"`}},
	})
}
