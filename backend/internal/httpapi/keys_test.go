package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

func TestKeysAndRoles(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "admin lists keys without secrets", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Status: 200,
			Contains: []string{`"role":"admin"`, `"role":"write"`, `"role":"read"`, `"prefix":"fk_`}, Excludes: []string{`"key"`, `"hash"`}},
		{Name: "write may not manage keys", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Write, Status: 403,
			Contains: []string{`"code":"forbidden"`}},
		{Name: "read may not manage keys", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Read,
			Body: `{"name":"x","role":"read"}`, Status: 403},
		{Name: "every role reads", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200,
			Contains: []string{`"slug":"acme"`, `"role":"read"`}},
		{Name: "write reads", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Write, Status: 200, Contains: []string{`"role":"write"`}},
		{Name: "no key", Method: "GET", Path: "/api/v1/t/acme", Status: 401},
		{Name: "not a bearer", Method: "GET", Path: "/api/v1/t/acme", Key: "", Status: 401},
		{Name: "unknown key", Method: "GET", Path: "/api/v1/t/acme", Key: "fk_0123456789abcdef_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", Status: 401},
		{Name: "right lookup id, wrong secret", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read[:len(acme.Read)-4] + "AAAA", Status: 401},
		{Name: "platform key is not a tenant key", Method: "GET", Path: "/api/v1/t/acme/keys", Key: s.AdminKey, Status: 403},
		{Name: "tenant key is not the platform key", Method: "GET", Path: "/api/v1/tenants", Key: acme.Admin, Status: 403},
		{Name: "bad role", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Body: `{"name":"x","role":"owner"}`,
			Status: 400, Contains: []string{`"path":"role"`, `"code":"choice"`}},
		{Name: "no name", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Body: `{"role":"read"}`,
			Status: 400, Contains: []string{`"path":"name"`, `"code":"required"`}},
		{Name: "long name", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin,
			Body: `{"name":"` + strings.Repeat("n", 101) + `","role":"read"}`, Status: 400, Contains: []string{`"code":"too_long"`}},
		{Name: "revoke unknown", Method: "DELETE", Path: "/api/v1/t/acme/keys/999999", Key: acme.Admin, Status: 404},
		{Name: "revoke nonsense id", Method: "DELETE", Path: "/api/v1/t/acme/keys/abc", Key: acme.Admin, Status: 404},
	})
}

func TestRevokedKeysStopWorkingAtOnce(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	var keys struct {
		Data []struct {
			ID   int64
			Role string
		}
	}
	s.MustJSON(t, 200, &keys, "GET", "/api/v1/t/acme/keys", acme.Admin, "")
	ids := map[string]int64{}
	for _, k := range keys.Data {
		ids[k.Role] = k.ID
	}
	var second struct{ ID int64 }
	s.MustJSON(t, http.StatusCreated, &second, "POST", "/api/v1/t/acme/keys", acme.Admin, `{"name":"ops","role":"admin"}`)
	path := func(id int64) string { return fmt.Sprintf("/api/v1/t/acme/keys/%d", id) }
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "read key works", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 200},
		{Name: "revoke read key", Method: "DELETE", Path: path(ids["read"]), Key: acme.Admin, Status: 204},
		{Name: "revoked read key", Method: "GET", Path: "/api/v1/t/acme", Key: acme.Read, Status: 401},
		{Name: "revoke twice", Method: "DELETE", Path: path(ids["read"]), Key: acme.Admin, Status: 404},
		{Name: "listed no more", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Status: 200,
			Excludes: []string{fmt.Sprintf(`"id":%d,`, ids["read"])}},
		{Name: "revoke the second admin", Method: "DELETE", Path: path(second.ID), Key: acme.Admin, Status: 204},
		{Name: "the last admin stays", Method: "DELETE", Path: path(ids["admin"]), Key: acme.Admin, Status: 409},
		{Name: "and works", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Status: 200},
	})
}
