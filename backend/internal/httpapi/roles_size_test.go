package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
	"forma.dev/shared/access"
)

// bigRole is a valid role of about n bytes: a list filter of 100-byte titles.
func bigRole(n int) string {
	values := make([]string, 0, n/103+1)
	for i := 0; i < n/103; i++ {
		values = append(values, fmt.Sprintf(`"%0100d"`, i))
	}
	return `{"permissions":{"post":{"list":{"filter":{"title__in":[` + strings.Join(values, ",") + `]},"fields":"*"}}}}`
}

// TestRoleBytesAreBounded: a role is at most access.MaxRoleBytes as stored (too_long at
// the role itself), and all of a tenant's roles at most access.MaxRolesBytes.
func TestRoleBytesAreBounded(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "one role too big", Method: "PUT", Path: "/api/v1/t/acme/roles/big", Key: acme.Admin, Body: bigRole(access.MaxRoleBytes + 1000),
			Status: 400, Contains: []string{`"path":"","code":"too_long"`, fmt.Sprintf(`"max":%d`, access.MaxRoleBytes)}},
		{Name: "one role too big in a snapshot", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin,
			Body:   `{"models":[{"name":"post",` + strings.TrimPrefix(postModel, "{") + `],"roles":{"big":` + bigRole(access.MaxRoleBytes+1000) + `}}`,
			Status: 400, Contains: []string{`"path":"roles.big","code":"too_long"`}},
		{Name: "nothing stored", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Admin, Status: 200, Contains: []string{`"data":[]`}},
	})
	// Roles just under the bound, one after another, until all of them would be over
	// the tenant's.
	body := bigRole(access.MaxRoleBytes - 4000)
	most := access.MaxRolesBytes / (access.MaxRoleBytes - 4000 - 200)
	for i := 0; ; i++ {
		rec := s.Do("PUT", fmt.Sprintf("/api/v1/t/acme/roles/r%d", i), acme.Admin, body)
		if rec.Code == http.StatusCreated {
			if i > most {
				t.Fatalf("%d roles of %d bytes were stored", i+1, len(body))
			}
			continue
		}
		if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `"path":"roles","code":"too_long"`) || i < most-2 {
			t.Fatalf("role %d: %d %s", i, rec.Code, rec.Body)
		}
		break
	}
}

// TestHistoryKeepsOnlyTheRolesAChangeTouched: a change of one role stores that role
// before and after it, not every role of the tenant twice.
func TestHistoryKeepsOnlyTheRolesAChangeTouched(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/alpha", acme.Admin, viewerRole)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/beta", acme.Admin, viewerRole)
	const history = "/api/v1/t/acme/schema/history?limit=1"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "created: after only", Method: "GET", Path: history, Key: acme.Admin, Status: 200,
			Contains: []string{`"roles":{"before":{},"after":{"beta":`}, Excludes: []string{"alpha"}},
		{Name: "change beta", Method: "PUT", Path: "/api/v1/t/acme/roles/beta", Key: acme.Admin, Status: 200,
			Body: `{"permissions":{"post":{"get":{"fields":"*"}}}}`},
		{Name: "changed: before and after", Method: "GET", Path: history, Key: acme.Admin, Status: 200,
			Contains: []string{`"roles":{"before":{"beta":{"description":"reads what is published"`, `"after":{"beta":{"permissions":{"post":{"get":`},
			Excludes: []string{"alpha"}},
		{Name: "delete beta", Method: "DELETE", Path: "/api/v1/t/acme/roles/beta", Key: acme.Admin, Status: 204},
		{Name: "deleted: before only", Method: "GET", Path: history, Key: acme.Admin, Status: 200,
			Contains: []string{`"roles":{"before":{"beta":`, `"after":{}}`}, Excludes: []string{"alpha"}},
		{Name: "the first role's history", Method: "GET", Path: "/api/v1/t/acme/schema/history?before=3&limit=1", Key: acme.Admin, Status: 200,
			Contains: []string{`"after":{"alpha":`}},
	})
	var n int
	if err := s.App.DB.NewRaw(`SELECT count(*) FROM forma.schema_history WHERE roles_after::text LIKE '%alpha%' OR roles_before::text LIKE '%alpha%'`).
		Scan(context.Background(), &n); err != nil || n != 1 {
		t.Fatalf("history rows naming alpha: %d, %v; want 1 (its creation)", n, err)
	}
}
