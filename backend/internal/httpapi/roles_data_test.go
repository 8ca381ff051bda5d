package httpapi_test

import (
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"forma.dev/backend/internal/apitest"
)

// The custom roles of the data route tests: author reads published posts and writes its
// own; reader lists titles only; team lists the posts of its token's org.owner.
const (
	authorRole = `{"permissions":{
	 "post":{
	  "list":{"filter":{"status":"published"},"fields":["id","title","owner","author"]},
	  "get":{"filter":{"status":"published"},"fields":["id","title","owner","author"]},
	  "create":{"filter":{"status__in":["draft","published"]},"fields":["title","status","author"],"presets":{"owner":"$auth.sub"}},
	  "update":{"filter":{"owner":"$auth.sub"},"fields":["title","status"]},
	  "delete":{"filter":{"owner":"$auth.sub"}}},
	 "person":{"get":{"filter":{"public":true},"fields":["id","name"]}}}}`
	readerRole = `{"permissions":{"post":{"list":{"fields":["title"]}}}}`
	teamRole   = `{"permissions":{"post":{"list":{"filter":{"owner":"$auth.org.owner"},"fields":["title","owner"]}}}}`
)

// roleKey makes a key of a custom role.
func roleKey(t *testing.T, s *apitest.Server, admin, role string) (key string, id int64) {
	t.Helper()
	var k struct {
		ID  int64
		Key string
	}
	s.MustJSON(t, 201, &k, "POST", "/api/v1/t/acme/keys", admin, `{"name":"`+role+`","role":"`+role+`"}`)
	return k.Key, k.ID
}

// rolesServer is acme with posts, persons and audits, the roles above, a key of author
// and of reader, and HS256 tokens.
func rolesServer(t *testing.T) (s *apitest.Server, acme apitest.Tenant, author, reader string, authorID int64) {
	t.Helper()
	s = apitest.Start(t)
	acme = s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/person", acme.Admin,
		`{"name":"person","fields":[{"name":"name","type":"text"},{"name":"public","type":"boolean"},{"name":"secret","type":"text"}]}`)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/post", acme.Admin, `{"name":"post","fields":[
	 {"name":"title","type":"text","required":true},{"name":"body","type":"text"},{"name":"status","type":"text"},
	 {"name":"owner","type":"text"},{"name":"author","type":"relation","related_model":"person","options":{"on_delete":"set_null"}}]}`)
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/audit", acme.Admin, `{"name":"audit","fields":[{"name":"what","type":"text"}]}`)
	for name, body := range map[string]string{"author": authorRole, "reader": readerRole, "team": teamRole} {
		s.MustJSON(t, 201, nil, "PUT", "/api/v1/t/acme/roles/"+name, acme.Admin, body)
	}
	putHS256(t, s, acme, "")
	author, authorID = roleKey(t, s, acme.Admin, "author")
	reader, _ = roleKey(t, s, acme.Admin, "reader")
	return s, acme, author, reader, authorID
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
		{Name: "roles are admin's", Method: "GET", Path: "/api/v1/t/acme/roles", Key: author, Status: 403},
		{Name: "token settings are admin's", Method: "GET", Path: "/api/v1/t/acme/auth", Key: author, Status: 403},
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

		// an end-user token: its claims are the variables, dotted paths into nested ones
		{Name: "token of team", Method: "GET", Path: data + "post?sort=title", Status: 200,
			Key:      sign(t, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"role": "team", "org": map[string]any{"owner": "key:999"}})),
			Contains: []string{`"data":[{"title":"draft-other","owner":"key:999"},{"title":"pub-other","owner":"key:999"}]`}},
		{Name: "token without the claim", Method: "GET", Path: data + "post", Status: 200,
			Key: sign(t, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"role": "team"})), Contains: []string{`"data":[]`}},
		{Name: "token of team: no get", Method: "GET", Path: data + "post/1", Status: 403,
			Key: sign(t, jose.HS256, []byte(tokenSecret), "", claims(map[string]any{"role": "team", "org": map[string]any{"owner": "key:999"}}))},
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
