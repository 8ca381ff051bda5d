package httpapi_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

func TestTenantLifecycle(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	pk := s.AdminKey
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "no key", Method: "GET", Path: "/api/v1/tenants", Status: 401, Contains: []string{`"code":"unauthorized"`}},
		{Name: "wrong key", Method: "GET", Path: "/api/v1/tenants", Key: "nope-nope-nope-nope", Status: 401},
		{Name: "empty list", Method: "GET", Path: "/api/v1/tenants", Key: pk, Status: 200, Contains: []string{`"data":[]`}},
		{Name: "create", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":"acme","name":"Acme Inc."}`,
			Status: 201, Contains: []string{`"slug":"acme"`, `"name":"Acme Inc."`, `"schema":"t1_acme"`, `"role":"admin"`, `"key":"fk_`}},
		{Name: "name defaults to slug", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":"bolt"}`,
			Status: 201, Contains: []string{`"name":"bolt"`}},
		{Name: "duplicate", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":"acme"}`,
			Status: 409, Contains: []string{`"code":"conflict"`}},
		{Name: "list", Method: "GET", Path: "/api/v1/tenants", Key: pk, Status: 200,
			Contains: []string{`"slug":"acme"`, `"slug":"bolt"`}, Excludes: []string{`fk_`}},
		{Name: "get", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 200, Contains: []string{`"slug":"acme"`}},
		{Name: "get missing", Method: "GET", Path: "/api/v1/tenants/nobody", Key: pk, Status: 404, Contains: []string{`"code":"not_found"`}},
		{Name: "delete without confirm", Method: "DELETE", Path: "/api/v1/tenants/acme", Key: pk, Status: 400,
			Contains: []string{`"path":"confirm"`}},
		{Name: "delete wrong confirm", Method: "DELETE", Path: "/api/v1/tenants/acme?confirm=bolt", Key: pk, Status: 400},
		{Name: "still there", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 200},
		{Name: "delete", Method: "DELETE", Path: "/api/v1/tenants/acme?confirm=acme", Key: pk, Status: 204},
		{Name: "gone", Method: "GET", Path: "/api/v1/tenants/acme", Key: pk, Status: 404},
		{Name: "delete again", Method: "DELETE", Path: "/api/v1/tenants/acme?confirm=acme", Key: pk, Status: 404},
		{Name: "others stay", Method: "GET", Path: "/api/v1/tenants", Key: pk, Status: 200,
			Contains: []string{`"slug":"bolt"`}, Excludes: []string{`"slug":"acme"`}},
		{Name: "slug free again", Method: "POST", Path: "/api/v1/tenants", Key: pk, Body: `{"slug":"acme"}`, Status: 201},
	})
}

func TestTenantCreateMakesTheSchemaAndDeleteDropsItWithItsRows(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	ctx, db := context.Background(), s.App.DB
	acme := s.Tenant(t, "acme")
	if _, err := db.ExecContext(ctx, `CREATE TABLE t1_acme.things (x int)`); err != nil {
		t.Fatalf("the tenant schema t1_acme is not usable: %v", err)
	}
	s.MustJSON(t, 204, nil, "DELETE", "/api/v1/tenants/acme?confirm=acme", s.AdminKey, "")
	var schemas, keys, tenants int
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM pg_namespace WHERE nspname = 't1_acme'`).Scan(&schemas)
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM forma.keys`).Scan(&keys)
	_ = db.QueryRowContext(ctx, `SELECT count(*) FROM forma.tenants`).Scan(&tenants)
	if schemas+keys+tenants != 0 {
		t.Fatalf("after delete: %d schemas, %d keys, %d tenants left", schemas, keys, tenants)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "deleted tenant's key", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Status: 401},
	})
}

func TestHostileSlugsAreRefusedAndCreateNothing(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	var scenarios []apitest.Scenario
	for _, slug := range []string{
		"", "../x", "a;drop", `a"; DROP SCHEMA forma CASCADE; --`, "Acme", "ACME", "1abc", "_x", "a-b", "a b",
		"é", "a\x00b", strings.Repeat("a", 41), strings.Repeat("a", 64), "select", "table", "user", "public", "forma", "tenants",
	} {
		scenarios = append(scenarios, apitest.Scenario{
			Name: "slug " + slug, Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
			Body: `{"slug":` + quote(slug) + `}`, Status: 400, Contains: []string{`"path":"slug"`},
		})
	}
	scenarios = append(scenarios,
		apitest.Scenario{Name: "40 bytes is fine", Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
			Body: `{"slug":"` + strings.Repeat("a", 40) + `"}`, Status: 201},
		apitest.Scenario{Name: "slug not a string", Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
			Body: `{"slug":42}`, Status: 400, Contains: []string{`"code":"invalid_type"`}},
		apitest.Scenario{Name: "unknown member", Method: "POST", Path: "/api/v1/tenants", Key: s.AdminKey,
			Body: `{"slug":"ok","schema":"public"}`, Status: 400, Contains: []string{`"path":"schema"`}},
		apitest.Scenario{Name: "hostile get", Method: "GET", Path: "/api/v1/tenants/a%3Bdrop", Key: s.AdminKey, Status: 404},
	)
	apitest.Run(t, s, scenarios)
	var n int
	if err := s.App.DB.QueryRowContext(context.Background(), `SELECT count(*) FROM forma.tenants`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("tenants after hostile slugs: %d (%v), want only the 40-byte one", n, err)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The tenant is read with the key and cached with it; deleting the tenant on this replica
// must end every one of its keys at once, also when the slug is taken again at once.
func TestADeletedTenantsKeysStopWorkingOnTheReplicaThatDeletedIt(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	old := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/thing", old.Admin, `{"name":"thing","fields":[{"name":"x","type":"integer"}]}`)
	var scenarios []apitest.Scenario
	for role, key := range map[string]string{"admin": old.Admin, "write": old.Write, "read": old.Read} {
		scenarios = append(scenarios,
			apitest.Scenario{Name: role + " whoami before", Method: "GET", Path: "/api/v1/t/acme", Key: key, Status: 200,
				Contains: []string{`"slug":"acme"`, `"schema":"t1_acme"`, `"role":"` + role + `"`}},
			apitest.Scenario{Name: role + " data before", Method: "GET", Path: "/api/v1/t/acme/data/thing", Key: key, Status: 200})
	}
	apitest.Run(t, s, scenarios)

	s.MustJSON(t, 204, nil, "DELETE", "/api/v1/tenants/acme?confirm=acme", s.AdminKey, "")
	again := s.Tenant(t, "acme") // the same slug, a new tenant with a schema of its own (t2_acme)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/thing", again.Admin, `{"name":"thing","fields":[{"name":"x","type":"integer"}]}`)
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/thing", again.Write, `{"x":42}`)
	scenarios = nil
	for role, key := range map[string]string{"admin": old.Admin, "write": old.Write, "read": old.Read} {
		scenarios = append(scenarios,
			apitest.Scenario{Name: role + " whoami after", Method: "GET", Path: "/api/v1/t/acme", Key: key, Status: 401},
			apitest.Scenario{Name: role + " data after", Method: "GET", Path: "/api/v1/t/acme/data/thing", Key: key, Status: 401,
				Excludes: []string{`"x":42`}})
	}
	scenarios = append(scenarios, apitest.Scenario{Name: "the new tenant's key", Method: "GET", Path: "/api/v1/t/acme/data/thing",
		Key: again.Read, Status: 200, Contains: []string{`"x":42`}})
	apitest.Run(t, s, scenarios)
}
