package httpapi_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/httpapi"
	"forma.dev/backend/internal/openapi"
	frecords "forma.dev/backend/internal/records"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// withRoles is the model cache with custom roles made from each version's models (the
// roles' own storage is not this test's).
type withRoles struct {
	reg   *registry.Registry
	roles func([]schema.Model) map[string]*access.Stored
	mu    sync.Mutex
	byVer map[int64]*frecords.Tables
}

func (c *withRoles) tables(set *registry.Set, err error) (*frecords.Tables, error) {
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if ts, ok := c.byVer[set.Version]; ok && ts.ByName["post"] == set.Tables["post"] {
		return ts, nil
	}
	ts := &frecords.Tables{Version: set.Version, ByName: set.Tables, Roles: c.roles(set.Models)}
	c.byVer[set.Version] = ts
	return ts, nil
}

func (c *withRoles) Get(ctx context.Context, t tenantref.Ref, _ int64) (*frecords.Tables, error) {
	return c.tables(c.reg.Get(ctx, t))
}

func (c *withRoles) Reload(ctx context.Context, t tenantref.Ref) (*frecords.Tables, error) {
	return c.tables(c.reg.Verify(ctx, t))
}

// fieldIDs turns names of model's fields into the ids rules keep ("$id" stays).
func fieldIDs(models []schema.Model, model string, names ...string) *access.Fields {
	if len(names) == 1 && names[0] == "*" {
		return &access.Fields{All: true}
	}
	out := &access.Fields{}
	for _, n := range names {
		out.Names = append(out.Names, fieldID(models, model, n))
	}
	return out
}

func fieldID(models []schema.Model, model, name string) string {
	if strings.HasPrefix(name, "$") {
		return name
	}
	for _, m := range models {
		for _, f := range m.Fields {
			if m.Name == model && f.Name == name {
				return f.ID
			}
		}
	}
	return "missing:" + name
}

// dataRoles: author reads published posts, writes its own; reader only lists titles.
func dataRoles(models []schema.Model) map[string]*access.Stored {
	id := func(name string) string { return fieldID(models, "post", name) }
	published := access.Condition{Field: id("status"), Value: "published"}
	mine := access.Condition{Field: id("owner"), Var: "$auth.sub"}
	read := fieldIDs(models, "post", "$id", "title", "owner", "author")
	return map[string]*access.Stored{
		"author": {Permissions: map[string]map[access.Action]*access.StoredRule{
			"post": {
				access.List:   {Filter: []access.Condition{published}, Fields: read},
				access.Get:    {Filter: []access.Condition{published}, Fields: read},
				access.Create: {Filter: []access.Condition{{Field: id("status"), Lookup: "in", Values: []any{"draft", "published"}}}, Fields: fieldIDs(models, "post", "title", "status", "author"), Presets: []access.Preset{{Field: id("owner"), Var: "$auth.sub"}}},
				access.Update: {Filter: []access.Condition{mine}, Fields: fieldIDs(models, "post", "title", "status")},
				access.Delete: {Filter: []access.Condition{mine}},
			},
			"person": {access.Get: {Filter: []access.Condition{{Field: fieldID(models, "person", "public"), Value: true}}, Fields: fieldIDs(models, "person", "$id", "name")}},
		}},
		"reader": {Permissions: map[string]map[access.Action]*access.StoredRule{
			"post": {access.List: {Fields: fieldIDs(models, "post", "title")}},
		}},
	}
}

// customKey makes a key of a custom role: a read key whose role is then changed in the
// table (the keys' own route for custom roles is not this test's).
func customKey(t *testing.T, s *apitest.Server, admin, role string) (key string, id int64) {
	t.Helper()
	var k struct {
		ID  int64
		Key string
	}
	s.MustJSON(t, 201, &k, "POST", "/api/v1/t/acme/keys", admin, `{"name":"`+role+`","role":"read"}`)
	ctx := context.Background()
	if _, err := s.App.DB.ExecContext(ctx, `ALTER TABLE forma.keys DROP CONSTRAINT IF EXISTS keys_role_check`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.App.DB.ExecContext(ctx, `UPDATE forma.keys SET role = ? WHERE id = ?`, role, k.ID); err != nil {
		t.Fatal(err)
	}
	return k.Key, k.ID
}

// rolesServer is acme with posts and persons, served by a handler whose model cache
// holds dataRoles, with a key of each custom role.
func rolesServer(t *testing.T) (s *apitest.Server, acme apitest.Tenant, author, reader string, authorID int64) {
	t.Helper()
	base := apitest.Start(t)
	acme = base.Tenant(t, "acme")
	base.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/person", acme.Admin,
		`{"name":"person","fields":[{"name":"name","type":"text"},{"name":"public","type":"boolean"},{"name":"secret","type":"text"}]}`)
	base.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin, `{"name":"post","fields":[
	 {"name":"title","type":"text","required":true},{"name":"body","type":"text"},{"name":"status","type":"text"},
	 {"name":"owner","type":"text"},{"name":"author","type":"relation","related_model":"person","options":{"on_delete":"set_null"}}]}`)
	base.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/audit", acme.Admin, `{"name":"audit","fields":[{"name":"what","type":"text"}]}`)
	author, authorID = customKey(t, base, acme.Admin, "author")
	reader, _ = customKey(t, base, acme.Admin, "reader")

	pool, err := db.Open(context.Background(), base.App.Config.DatabaseURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pool.Close() })
	keys := auth.NewStore(base.App.DB, time.Minute)
	h := httpapi.New(httpapi.Deps{
		Tenants:  tenant.NewService(base.App.DB, keys),
		Keys:     keys,
		Records:  &frecords.Service{DB: pool.PGX, Catalog: &withRoles{reg: base.App.Models, roles: dataRoles, byVer: map[int64]*frecords.Tables{}}},
		OpenAPI:  openapi.NewCache(10),
		AdminKey: apitest.AdminKey,
	})
	return &apitest.Server{App: &app.App{Handler: h, Config: base.App.Config}, AdminKey: apitest.AdminKey}, acme, author, reader, authorID
}

func TestCustomRolesOnDataRoutes(t *testing.T) {
	t.Parallel()
	s, acme, author, reader, authorID := rolesServer(t)
	w := acme.Write
	me := `"owner":"key:` + itoa(authorID) + `"`
	const data = "/api/v1/t/acme/data/"
	apitest.Run(t, s, []apitest.Scenario{
		// the rows, written by a built-in write key
		{Name: "persons", Method: "POST", Path: data + "person", Key: w, Status: 201,
			Body: `[{"name":"Ann","public":true,"secret":"s1"},{"name":"Bob","public":false,"secret":"s2"}]`},
		{Name: "posts", Method: "POST", Path: data + "post", Key: w, Status: 201, Body: `[
			{"title":"pub-other","body":"b","status":"published","owner":"key:999","author":1},
			{"title":"draft-other","body":"b","status":"draft","owner":"key:999","author":2},
			{"title":"pub-mine","body":"b","status":"published",` + me + `,"author":2},
			{"title":"draft-mine","body":"b","status":"draft",` + me + `}]`},

		// admission: data routes, whoami and openapi.json; never the admin routes
		{Name: "whoami", Method: "GET", Path: "/api/v1/t/acme", Key: author, Status: 200,
			Contains: []string{`"role":"author"`, `"post"`}, Excludes: []string{`"audit"`}},
		{Name: "keys are admin's", Method: "GET", Path: "/api/v1/t/acme/keys", Key: author, Status: 403},
		{Name: "models are admin's", Method: "PUT", Path: "/api/v1/t/acme/models/x", Key: author, Body: `{"name":"x","fields":[]}`, Status: 403},
		{Name: "schema is admin's", Method: "GET", Path: "/api/v1/t/acme/schema", Key: author, Status: 403},
		{Name: "a key is admin's to make", Method: "POST", Path: "/api/v1/t/acme/keys", Key: reader, Body: `{"name":"x","role":"admin"}`, Status: 403},

		// list: inside the filter only, read fields only
		{Name: "list", Method: "GET", Path: data + "post?sort=title", Key: author, Status: 200,
			Contains: []string{`{"id":1,"title":"pub-other","owner":"key:999","author":1}`, `"title":"pub-mine"`},
			Excludes: []string{"draft", `"body"`, `"status"`, `"created_at"`}},
		{Name: "list a filter outside", Method: "GET", Path: data + "post?title=draft-mine", Key: author, Status: 200, Contains: []string{`"data":[]`}},
		{Name: "list filter over an unreadable field", Method: "GET", Path: data + "post?status=draft", Key: author, Status: 400,
			Contains: []string{`"path":"status","code":"forbidden_field"`}},
		{Name: "list sort over an unreadable field", Method: "GET", Path: data + "post?sort=body", Key: author, Status: 400,
			Contains: []string{`"path":"sort","code":"forbidden_field"`}},
		{Name: "list fields= an unreadable field", Method: "GET", Path: data + "post?fields=title,body", Key: author, Status: 400,
			Contains: []string{`"path":"fields","code":"forbidden_field"`}},
		{Name: "list expand", Method: "GET", Path: data + "post?expand=author&sort=title", Key: author, Status: 200,
			Contains: []string{`"author":{"id":1,"name":"Ann"}`, `"title":"pub-mine","owner":"key:` + itoa(authorID) + `","author":2}`},
			Excludes: []string{"secret", "s1"}},
		{Name: "reader lists titles", Method: "GET", Path: data + "post?sort=title", Key: reader, Status: 200,
			Contains: []string{`{"title":"draft-mine"}`}, Excludes: []string{`"id"`, "next_cursor\":\""}},
		{Name: "reader cursor over id", Method: "GET", Path: data + "post?cursor=abc", Key: reader, Status: 400},
		{Name: "list a model not allowed", Method: "GET", Path: data + "audit", Key: author, Status: 403, Contains: []string{`"code":"forbidden"`}},

		// get: inside, outside (404), not allowed (403)
		{Name: "get inside", Method: "GET", Path: data + "post/3?expand=author", Key: author, Status: 200,
			Contains: []string{`{"id":3,"title":"pub-mine",` + me + `,"author":2}`}},
		{Name: "get outside", Method: "GET", Path: data + "post/2", Key: author, Status: 404},
		{Name: "get not allowed", Method: "GET", Path: data + "post/1", Key: reader, Status: 403},
		{Name: "get a person not public", Method: "GET", Path: data + "person/2", Key: author, Status: 404},

		// create: fields, presets, the filter on the row as written
		{Name: "create", Method: "POST", Path: data + "post", Key: author, Body: `{"title":"new","status":"published"}`, Status: 201,
			Contains: []string{`"title":"new",` + me}, Excludes: []string{`"status"`}},
		{Name: "create a field it may not write", Method: "POST", Path: data + "post", Key: author, Body: `{"title":"x","body":"no","owner":"key:1"}`,
			Status: 400, Contains: []string{`"path":"body","code":"forbidden_field"`, `"path":"owner","code":"forbidden_field"`}},
		{Name: "create outside its filter", Method: "POST", Path: data + "post", Key: author, Body: `{"title":"x","status":"archived"}`,
			Status: 403, Contains: []string{`"code":"forbidden"`, `"path":"status"`}},
		{Name: "bulk create all or nothing", Method: "POST", Path: data + "post", Key: author,
			Body:   `[{"title":"b0","status":"draft"},{"title":"b1","status":"gone"},{"title":"b2","status":"gone"}]`,
			Status: 403, Contains: []string{`"path":"[1].status"`, `"path":"[2].status"`}, Excludes: []string{`"path":"[0]`}},
		{Name: "nothing of the bulk written", Method: "GET", Path: data + "post?title=b0", Key: w, Status: 200, Contains: []string{`"data":[]`}},
		{Name: "create not allowed", Method: "POST", Path: data + "post", Key: reader, Body: `{"title":"x"}`, Status: 403},

		// update: inside, outside (404), the row as written, fields
		{Name: "update mine", Method: "PATCH", Path: data + "post/4", Key: author, Body: `{"title":"draft-mine2"}`, Status: 200,
			Contains: []string{`"title":"draft-mine2"`}},
		{Name: "update another's", Method: "PATCH", Path: data + "post/1", Key: author, Body: `{"title":"x"}`, Status: 404},
		{Name: "update a field it may not write", Method: "PATCH", Path: data + "post/4", Key: author, Body: `{"owner":"key:999"}`, Status: 400,
			Contains: []string{`"path":"owner","code":"forbidden_field"`}},
		{Name: "update not allowed", Method: "PATCH", Path: data + "post/4", Key: reader, Body: `{"title":"x"}`, Status: 403},

		// delete: outside (404), inside, not allowed
		{Name: "delete another's", Method: "DELETE", Path: data + "post/1", Key: author, Status: 404},
		{Name: "delete not allowed", Method: "DELETE", Path: data + "post/4", Key: reader, Status: 403},
		{Name: "delete mine", Method: "DELETE", Path: data + "post/4", Key: author, Status: 204},
		{Name: "deleted", Method: "GET", Path: data + "post/4", Key: w, Status: 404},
		{Name: "another's kept", Method: "GET", Path: data + "post/1", Key: w, Status: 200, Contains: []string{`"body":"b"`}},

		// the OpenAPI document as the role sees it
		{Name: "openapi", Method: "GET", Path: "/api/v1/t/acme/openapi.json", Key: reader, Status: 200,
			Contains: []string{`"/data/post"`, `"list_post"`}, Excludes: []string{`"create_post"`, `"/data/post/{id}"`, `"audit"`, `"body"`}},
		{Name: "openapi of a built-in role", Method: "GET", Path: "/api/v1/t/acme/openapi.json", Key: acme.Read, Status: 200,
			Contains: []string{`"create_post"`, `"audit"`}},
	})
}

func itoa(n int64) string {
	b := []byte{}
	if n == 0 {
		return "0"
	}
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
