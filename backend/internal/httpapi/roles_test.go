package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"forma.dev/backend/internal/apitest"
)

// postModel is the model the role tests start from.
const postModel = `{"fields":[{"name":"title","type":"text"},{"name":"status","type":"text"},{"name":"owner","type":"text"}]}`

// viewerRole reads published posts and edits its own.
const viewerRole = `{"description":"reads what is published","permissions":{"post":{
 "list":{"filter":{"status":"published"},"fields":["id","title","owner"]},
 "update":{"filter":{"owner":"$auth.sub"},"fields":["title"]}}}}`

// roleTenant starts a server with tenant acme and its post model.
func roleTenant(t *testing.T) (*apitest.Server, apitest.Tenant) {
	t.Helper()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin, postModel)
	return s, acme
}

func TestRolesAreStoredAndVersioned(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	const path = "/api/v1/t/acme/roles/viewer"
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "none yet", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Admin, Status: 200,
			Contains: []string{`"data":[]`, `"version":1`}},
		{Name: "unknown", Method: "GET", Path: path, Key: acme.Admin, Status: 404},
		{Name: "create", Method: "PUT", Path: path, Key: acme.Admin, Body: viewerRole, Status: 201,
			Contains: []string{`"name":"viewer"`, `"version":2`, `"changed":true`, `"fields":["id","title","owner"]`,
				`"filter":{"status":"published"}`, `"owner":"$auth.sub"`, `"description":"reads what is published"`}},
		{Name: "the same again changes nothing", Method: "PUT", Path: path, Key: acme.Admin, Body: viewerRole, Status: 200,
			Contains: []string{`"version":2`, `"changed":false`}},
		{Name: "listed", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Admin, Status: 200,
			Contains: []string{`"data":[{"name":"viewer","description":"reads what is published","permissions":{"post":`, `"version":2`}},
		{Name: "got", Method: "GET", Path: path, Key: acme.Admin, Status: 200,
			Contains: []string{`"role":{"name":"viewer"`, `"version":2`}},
		{Name: "replaced", Method: "PUT", Path: path, Key: acme.Admin, Status: 200,
			Body:     `{"name":"viewer","permissions":{"post":{"get":{"fields":"*"}}}}`,
			Contains: []string{`"version":3`, `"get":{"fields":"*"}`}, Excludes: []string{`"list"`, `"description"`}},
		{Name: "the schema answers its roles", Method: "GET", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 200,
			Contains: []string{`"roles":{"viewer":{"permissions":{"post":{"get":{"fields":"*"}}}}}`, `"version":3`}},
		{Name: "history holds the change", Method: "GET", Path: "/api/v1/t/acme/schema/history?limit=1", Key: acme.Admin, Status: 200,
			Contains: []string{`"version":3`, `"roles":{"before":{"viewer":`, `"after":{"viewer":{"permissions":{"post":{"get":`}},
		{Name: "the model's change has no roles in history", Method: "GET", Path: "/api/v1/t/acme/schema/history?before=2", Key: acme.Admin, Status: 200,
			Excludes: []string{`"roles"`}},
	})
	stale := s.Request("DELETE", path, acme.Admin, "")
	stale.Header.Set("If-Match", `"2"`)
	if rec := s.Serve(stale); rec.Code != http.StatusPreconditionFailed {
		t.Fatalf("a delete at a stale version: %d %s", rec.Code, rec.Body)
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "deleted", Method: "DELETE", Path: path, Key: acme.Admin, Status: 204},
		{Name: "gone", Method: "GET", Path: path, Key: acme.Admin, Status: 404},
		{Name: "delete unknown", Method: "DELETE", Path: path, Key: acme.Admin, Status: 404},
		{Name: "deletion is a version", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Admin, Status: 200,
			Contains: []string{`"data":[]`, `"version":4`}},
	})
}

func TestRoleBodiesAreChecked(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a built-in name", Method: "PUT", Path: "/api/v1/t/acme/roles/admin", Key: acme.Admin, Body: viewerRole, Status: 400,
			Contains: []string{`"path":"name"`}},
		{Name: "a name that is no model name", Method: "PUT", Path: "/api/v1/t/acme/roles/Viewer", Key: acme.Admin, Body: viewerRole, Status: 400,
			Contains: []string{`"path":"name"`}},
		{Name: "get a built-in", Method: "GET", Path: "/api/v1/t/acme/roles/read", Key: acme.Admin, Status: 400},
		{Name: "unknown member", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 400,
			Body: `{"permissions":{},"rules":{}}`},
		{Name: "unknown member of a rule", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 400,
			Body: `{"permissions":{"post":{"list":{"fields":"*","filters":{}}}}}`},
		{Name: "no permissions", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 400,
			Body: `{"description":"x"}`, Contains: []string{`"path":"permissions"`, `"code":"required"`}},
		{Name: "another name in the body", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 400,
			Body: `{"name":"editor","permissions":{}}`, Contains: []string{`"path":"name"`}},
		{Name: "every problem, with its path", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 400,
			Body: `{"permissions":{"nope":{"list":{"fields":"*"}},"post":{"list":{"filter":{"ghost":"x"},"fields":["title","phantom"]},"fly":{}}}}`,
			Contains: []string{`"path":"permissions.nope"`, `"path":"permissions.post.list.filter.ghost"`,
				`"path":"permissions.post.list.fields[1]"`, `"path":"permissions.post.fly"`}},
		{Name: "nothing was stored", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Admin, Status: 200,
			Contains: []string{`"data":[]`, `"version":1`}},
		{Name: "write keys may not", Method: "GET", Path: "/api/v1/t/acme/roles", Key: acme.Write, Status: 403},
		{Name: "read keys may not", Method: "PUT", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Read, Body: viewerRole, Status: 403},
	})
}

func TestRulesFollowTheSchema(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	withoutStatus := `[{"name":"post","fields":[{"name":"title","type":"text"},{"name":"owner","type":"text"}]}]`
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "dropping a field a rule uses", Method: "DELETE", Path: "/api/v1/t/acme/models/post/fields/status?allow_data_loss=true",
			Key: acme.Admin, Status: 400, Contains: []string{`"path":"roles.viewer.permissions.post.list.filter.status"`, `"code":"rule_uses_field"`}},
		{Name: "retyping it", Method: "PATCH", Path: "/api/v1/t/acme/models/post/fields/status?allow_data_loss=true",
			Key: acme.Admin, Body: `{"type":"integer"}`, Status: 400, Contains: []string{`"path":"roles.viewer.permissions.post.list.filter.status"`}},
		{Name: "a snapshot without it", Method: "PUT", Path: "/api/v1/t/acme/schema?allow_data_loss=true", Key: acme.Admin,
			Body: `{"models":` + withoutStatus + `}`, Status: 400, Contains: []string{`"path":"roles.viewer.permissions.post.list.filter.status"`}},
		{Name: "dropping the model", Method: "DELETE", Path: "/api/v1/t/acme/models/post?allow_data_loss=true", Key: acme.Admin,
			Status: 400, Contains: []string{`"path":"roles.viewer.permissions.post"`}},
		{Name: "the plan says so too", Method: "POST", Path: "/api/v1/t/acme/schema/plan?allow_data_loss=true", Key: acme.Admin,
			Body: `{"models":` + withoutStatus + `}`, Status: 400, Contains: []string{`"code":"rule_uses_field"`}},
		{Name: "still at version 2", Method: "GET", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 200,
			Contains: []string{`"version":2`, `"name":"status"`}},
		{Name: "a rule of the snapshot's roles is checked against its models", Method: "PUT", Path: "/api/v1/t/acme/schema?allow_data_loss=true",
			Key: acme.Admin, Status: 400, Body: `{"models":` + withoutStatus + `,"roles":{"viewer":{"permissions":{"post":{"list":{"filter":{"status":"x"},"fields":"*"}}}}}}`,
			Contains: []string{`"path":"roles.viewer.permissions.post.list.filter.status"`}},
		{Name: "the drop with the rule changed in one change", Method: "PUT", Path: "/api/v1/t/acme/schema?allow_data_loss=true",
			Key: acme.Admin, Status: 200, Body: `{"models":` + withoutStatus + `,"roles":{"viewer":{"permissions":{"post":{"list":{"fields":["title"]}}}}}}`,
			Contains: []string{`"version":3`, `"roles":{"viewer":{"permissions":{"post":{"list":{"fields":["title"]}}}}}`}},
		{Name: "the plan of a snapshot with roles", Method: "POST", Path: "/api/v1/t/acme/schema/plan", Key: acme.Admin, Status: 200,
			Body:     `{"models":` + withoutStatus + `,"roles":{}}`,
			Contains: []string{`"changed":true`, `"dry_run":true`, `"roles":{}`}},
		{Name: "a snapshot without roles leaves them", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 200,
			Body: `{"models":` + withoutStatus + `}`, Contains: []string{`"changed":false`, `"roles":{"viewer":`}},
		{Name: "a null role", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 400,
			Body:     `{"models":` + withoutStatus + `,"roles":{"viewer":null,"admin":{"permissions":{}}}}`,
			Contains: []string{`"path":"roles.viewer"`, `"path":"roles.admin"`}},
	})
}

func TestARenameKeepsTheRule(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	var got struct {
		Model struct {
			Fields []map[string]any
		}
	}
	s.MustJSON(t, http.StatusOK, &got, "GET", "/api/v1/t/acme/models/post", acme.Admin, "")
	for _, f := range got.Model.Fields {
		if f["name"] == "status" {
			f["name"] = "state"
		}
	}
	body, _ := json.Marshal(map[string]any{"fields": got.Model.Fields})
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin, string(body))
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "the rule names the new name", Method: "GET", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 200,
			Contains: []string{`"filter":{"state":"published"}`, `"version":3`}, Excludes: []string{`"status"`}},
	})
}

func TestKeysWithCustomRoles(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "a role the tenant lacks", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Body: `{"name":"app","role":"viewer"}`,
			Status: 400, Contains: []string{`"path":"role"`, `"code":"choice"`, `"choices":["admin","write","read"]`}},
	})
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/editor", acme.Admin, viewerRole)
	var key struct {
		ID   int64
		Key  string
		Role string
	}
	s.MustJSON(t, http.StatusCreated, &key, "POST", "/api/v1/t/acme/keys", acme.Admin, `{"name":"app","role":"viewer"}`)
	if key.Role != "viewer" || key.Key == "" {
		t.Fatalf("key: %+v", key)
	}
	s.MustJSON(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/keys", acme.Admin, `{"name":"app 2","role":"viewer"}`)
	revoke := "/api/v1/t/acme/keys/" + jsonNumber(key.ID)
	scenarios := []apitest.Scenario{
		{Name: "still a choice", Method: "POST", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Body: `{"name":"app","role":"owner"}`,
			Status: 400, Contains: []string{`"choices":["admin","write","read","editor","viewer"]`}},
		{Name: "listed with its role", Method: "GET", Path: "/api/v1/t/acme/keys", Key: acme.Admin, Status: 200,
			Contains: []string{`"name":"app","role":"viewer"`}},
		{Name: "a role keys hold", Method: "DELETE", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 409,
			Contains: []string{`"code":"conflict"`, `2 unrevoked key(s)`}},
		{Name: "nor in a snapshot", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 409,
			Body: `{"models":[{"name":"post","fields":[{"name":"title","type":"text"},{"name":"status","type":"text"},{"name":"owner","type":"text"}]}],"roles":{}}`},
		{Name: "a role no key holds", Method: "DELETE", Path: "/api/v1/t/acme/roles/editor", Key: acme.Admin, Status: 204},
	}
	// A custom role reaches no route that needs a built-in role.
	for _, r := range [][2]string{{"GET", "/keys"}, {"POST", "/keys"}, {"GET", "/roles"}, {"PUT", "/roles/viewer"},
		{"GET", "/schema"}, {"PUT", "/models/post"}, {"GET", "/webhooks"}, {"GET", "/schema/history"}} {
		body := "{}"
		if r[0] == "GET" {
			body = ""
		}
		scenarios = append(scenarios, apitest.Scenario{Name: "viewer key " + r[0] + " " + r[1], Method: r[0], Path: "/api/v1/t/acme" + r[1],
			Key: key.Key, Body: body, Status: 403, Contains: []string{`"code":"forbidden"`}})
	}
	apitest.Run(t, s, scenarios)
	var keys struct{ Data []struct{ ID int64 } }
	s.MustJSON(t, http.StatusOK, &keys, "GET", "/api/v1/t/acme/keys", acme.Admin, "")
	for _, k := range keys.Data[3:] {
		s.MustJSON(t, http.StatusNoContent, nil, "DELETE", "/api/v1/t/acme/keys/"+jsonNumber(k.ID), acme.Admin, "")
	}
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "revoked keys hold nothing", Method: "DELETE", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 204},
		{Name: "and work no more", Method: "GET", Path: "/api/v1/t/acme", Key: key.Key, Status: 401},
		{Name: "revoked once", Method: "DELETE", Path: revoke, Key: acme.Admin, Status: 404},
	})
}

func TestATenantsRolesGoWithIt(t *testing.T) {
	t.Parallel()
	s, acme := roleTenant(t)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	s.MustJSON(t, http.StatusCreated, nil, "POST", "/api/v1/t/acme/keys", acme.Admin, `{"name":"app","role":"viewer"}`)
	count := func() int {
		var n int
		if err := s.App.DB.NewRaw("SELECT count(*) FROM forma.roles").Scan(context.Background(), &n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(); n != 1 {
		t.Fatalf("%d roles stored, want 1", n)
	}
	s.MustJSON(t, http.StatusNoContent, nil, "DELETE", "/api/v1/tenants/acme?confirm=acme", s.AdminKey, "")
	if n := count(); n != 0 {
		t.Fatalf("%d roles left after the tenant's deletion", n)
	}
	again := s.Tenant(t, "acme")
	if rec := s.Do("GET", "/api/v1/t/acme/roles", again.Admin, ""); !strings.Contains(rec.Body.String(), `"data":[]`) {
		t.Fatalf("a new tenant of the same name: %s", rec.Body)
	}
}

func jsonNumber(n int64) string { b, _ := json.Marshal(n); return string(b) }

// A role that the tenant's end-user tokens default to cannot be deleted while it is:
// every token without a role claim would be refused from then on.
func TestARoleTokensDefaultToIsKept(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, http.StatusOK, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin,
		`{"name":"post","fields":[{"name":"title","type":"text"},{"name":"status","type":"text"},{"name":"owner","type":"text"}]}`)
	s.MustJSON(t, http.StatusCreated, nil, "PUT", "/api/v1/t/acme/roles/viewer", acme.Admin, viewerRole)
	putHS256(t, s, acme, `,"default_role":"viewer"`)
	apitest.Run(t, s, []apitest.Scenario{
		{Name: "the tokens' default role", Method: "DELETE", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 409,
			Contains: []string{`"code":"conflict"`, `default role of the tenant's end-user tokens`}},
		{Name: "nor in a snapshot", Method: "PUT", Path: "/api/v1/t/acme/schema", Key: acme.Admin, Status: 409,
			Body: `{"models":[{"name":"post","fields":[{"name":"title","type":"text"},{"name":"status","type":"text"},{"name":"owner","type":"text"}]}],"roles":{}}`},
		{Name: "tokens off", Method: "DELETE", Path: "/api/v1/t/acme/auth", Key: acme.Admin, Status: 204},
		{Name: "then it goes", Method: "DELETE", Path: "/api/v1/t/acme/roles/viewer", Key: acme.Admin, Status: 204},
	})
}
