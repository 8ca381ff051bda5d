package httpapi_test

import (
	"net/http"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/config"
)

// TestRoleIntegersAbove2To53KeepEveryDigit: 2^53+1 is no float64; a rule that names it
// shows it as it was written after PUT, from the cache, from Postgres (another replica
// loading the role) and in the history, and filters on exactly it.
func TestRoleIntegersAbove2To53KeepEveryDigit(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin,
		`{"fields":[{"name":"n","type":"integer"}]}`)
	const (
		big   = "9007199254740993" // 2^53 + 1
		near  = "9007199254740992" // what a float64 makes of it
		role  = `{"permissions":{"post":{"list":{"filter":{"id__in":[` + big + `]},"fields":["id","n"]},"get":{"filter":{"n":` + big + `},"fields":["n"]}}}}`
		roleP = "/api/v1/t/acme/roles/big"
	)
	shown := []string{`"id__in":[` + big + `]`, `"n":` + big}
	s.MustJSON(t, http.StatusCreated, nil, "PUT", roleP, acme.Admin, role)
	if _, err := s.App.DB.Exec(`INSERT INTO t1_acme.post (id, n) VALUES (` + near + `, ` + near + `), (` + big + `, ` + big + `)`); err != nil {
		t.Fatal(err)
	}
	key, _ := roleKey(t, s, acme.Admin, "big")
	scenarios := func(s *apitest.Server) []apitest.Scenario {
		return []apitest.Scenario{
			{Name: "got", Method: "GET", Path: roleP, Key: acme.Admin, Status: 200, Contains: shown, Excludes: []string{near, "e+"}},
			{Name: "the same again changes nothing", Method: "PUT", Path: roleP, Key: acme.Admin, Body: role, Status: 200,
				Contains: append([]string{`"changed":false`}, shown...)},
			{Name: "in the history", Method: "GET", Path: "/api/v1/t/acme/schema/history?limit=1", Key: acme.Admin, Status: 200,
				Contains: shown, Excludes: []string{near}},
			{Name: "list filters on it", Method: "GET", Path: "/api/v1/t/acme/data/post", Key: key, Status: 200,
				Contains: []string{`"data":[{"id":` + big + `,"n":` + big + `}]`}},
			{Name: "get inside", Method: "GET", Path: "/api/v1/t/acme/data/post/" + big, Key: key, Status: 200,
				Contains: []string{`{"n":` + big + `}`}},
			{Name: "get outside", Method: "GET", Path: "/api/v1/t/acme/data/post/" + near, Key: key, Status: 404},
		}
	}
	apitest.Run(t, s, scenarios(s))
	// Another replica of the same database (no Redis) loads the role from Postgres.
	other := apitest.Start(t, func(c *config.Config) { c.DatabaseURL = s.App.Config.DatabaseURL })
	apitest.Run(t, other, scenarios(other))
}
