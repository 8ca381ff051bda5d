package httpapi_test

import (
	"testing"

	"forma.dev/backend/internal/apitest"
)

// Names Postgres cannot store (NUL) or that hold other control characters are 400s
// naming the field, never a 500 from the database. (Invalid UTF-8 in a JSON body is
// decoded as U+FFFD; auth.CheckText's own test covers it.)
func TestUnstorableNamesAreRefusedNamingTheField(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	var scenarios []apitest.Scenario
	for name, value := range map[string]string{"nul": `"a\u0000b"`, "newline": `"a\nb"`} {
		scenarios = append(scenarios,
			apitest.Scenario{Name: "tenant name " + name, Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
				Body: `{"slug":"beta","name":` + value + `}`, Status: 400,
				Contains: []string{`"path":"name"`, `"code":"invalid_value"`}},
			apitest.Scenario{Name: "tenant slug " + name, Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
				Body: `{"slug":` + value + `}`, Status: 400, Contains: []string{`"path":"slug"`}},
			apitest.Scenario{Name: "key name " + name, Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin,
				Body: `{"name":` + value + `,"role":"read"}`, Status: 400,
				Contains: []string{`"path":"name"`, `"code":"invalid_value"`}},
		)
	}
	scenarios = append(scenarios,
		apitest.Scenario{Name: "delete a slug with NUL", Method: "DELETE", Path: "/api/v1/tenants/a%00b?confirm=a%00b",
			Key: s.AdminKey, Status: 404},
		apitest.Scenario{Name: "get a slug with NUL", Method: "GET", Path: "/api/v1/tenants/a%00b", Key: s.AdminKey, Status: 404},
		apitest.Scenario{Name: "names with other text are fine", Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
			Body: `{"slug":"gamma","name":"Gamma – Zürich 東京"}`, Status: 201},
	)
	apitest.Run(t, s, scenarios)
}
