package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apitest"
)

// TestFieldEdits checks that the field routes follow schema's rules for a field's
// unique_together groups and indexes, and answer the problems of an edit.
func TestFieldEdits(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	const base = "/api/v1/t/acme/models/item"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a model with a group of three and indexes", Method: "PUT", Path: base, Key: acme.Admin, Status: 200,
			Body: `{"unique_together": [["a", "b", "c"]], "indexes": [["a", "-b"], ["c"]], "fields": [
				{"name": "a", "type": "text"}, {"name": "b", "type": "text"}, {"name": "c", "type": "integer"}]}`},
		{Name: "a rename by patch follows the groups and indexes", Method: "PATCH", Path: base + "/fields/b", Key: acme.Admin,
			Body: `{"name": "origin"}`, Status: 200,
			Contains: []string{`"unique_together":[["a","origin","c"]]`, `"indexes":[["a","-origin"],["c"]]`, `"kind":"rename_index"`}},
		{Name: "the id cannot change", Method: "PATCH", Path: base + "/fields/a", Key: acme.Admin, Body: `{"id": "x"}`, Status: 400,
			Contains: []string{`"path":"id","code":"read_only"`}},
		{Name: "an unknown member", Method: "PATCH", Path: base + "/fields/a", Key: acme.Admin, Body: `{"requried": true}`, Status: 400,
			Contains: []string{`"path":"requried","code":"not_allowed"`}},
		{Name: "options are merged", Method: "PATCH", Path: base + "/fields/c", Key: acme.Admin,
			Body: `{"options": {"min": 0}}`, Status: 200},
		{Method: "PATCH", Path: base + "/fields/c", Key: acme.Admin, Body: `{"options": {"max": 9}}`, Status: 200,
			Contains: []string{`"options":{"max":9,"min":0}`}},
		{Name: "a drop takes the group of three and the index whole", Method: "DELETE", Path: base + "/fields/origin?allow_data_loss=true",
			Key: acme.Admin, Status: 200, Contains: []string{`"indexes":[["c"]]`, `"kind":"drop_model_index"`},
			Excludes: []string{`"unique_together"`, `"add_unique"`, `"add_model_index"`}},
	})
}
