package httpapi_test

import (
	"encoding/json"
	"testing"

	"forma.dev/backend/internal/apitest"
)

// TestSchemaSnapshotMovesBetweenTenants exports one tenant's schema and applies it to another.
func TestSchemaSnapshotMovesBetweenTenants(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme, beta := s.Tenant(t, "acme"), s.Tenant(t, "beta")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, eventBody)
	var snap struct {
		Models  []json.RawMessage `json:"models"`
		Version int64             `json:"version"`
		Hash    string            `json:"hash"`
	}
	s.MustJSON(t, 200, &snap, "GET", "/api/v1/t/acme/schema", acme.Admin, "")
	raw, _ := json.Marshal(snap)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "plan the import", Method: "POST", Path: "/api/v1/t/beta/schema/plan", Key: beta.Admin, Body: string(raw), Status: 200,
			Contains: []string{`"dry_run":true`, `\"t2_beta\".\"event\"`}, Excludes: []string{`refused_without`}},
		{Name: "import", Method: "PUT", Path: "/api/v1/t/beta/schema", Key: beta.Admin, Body: string(raw), Status: 200,
			Contains: []string{`"version":1`, `"hash":"` + snap.Hash + `"`}},
		{Name: "imported", Method: "GET", Path: "/api/v1/t/beta/schema", Key: beta.Admin, Status: 200,
			Contains: []string{`"hash":"` + snap.Hash + `"`}},
		{Name: "empty snapshot drops everything only with the flag", Method: "PUT", Path: "/api/v1/t/beta/schema", Key: beta.Admin,
			Body: `{"models": []}`, Status: 409},
		{Name: "its plan says so", Method: "POST", Path: "/api/v1/t/beta/schema/plan", Key: beta.Admin, Body: `{"models": []}`, Status: 200,
			Contains: []string{`"refused_without":"allow_data_loss"`, `"kind":"drop_table"`, `"dry_run":true`, `"hash":"`}},
		{Name: "bad history limit", Method: "GET", Path: "/api/v1/t/beta/schema/history?limit=0", Key: beta.Admin, Status: 400},
		{Name: "read key may not see the schema", Method: "GET", Path: "/api/v1/t/beta/schema", Key: beta.Read, Status: 403},
	})
}
