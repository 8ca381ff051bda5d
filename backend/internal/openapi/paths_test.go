package openapi_test

import (
	"bytes"
	"slices"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"forma.dev/backend/internal/openapi"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// params returns an operation's parameters by name (resolved).
func params(op *openapi3.Operation) (map[string]*openapi3.Parameter, []string) {
	byName := map[string]*openapi3.Parameter{}
	var names []string
	for _, p := range op.Parameters {
		byName[p.Value.Name] = p.Value
		names = append(names, p.Value.Name)
	}
	return byName, names
}

func TestListParameters(t *testing.T) {
	doc := load(t, everyType())
	list := doc.Paths.Find("/data/thing").Get
	ps, names := params(list)
	for name, typ := range map[string]string{
		"id": "integer", "created_at__gte": "string", "count__gte": "integer", "ratio__lt": "number",
		"price__lte": "string", "active": "boolean", "title__icontains": "string", "country__startswith": "string",
		"extra__isnull": "boolean", "owner__in": "array", "token__ne": "string", "limit": "integer",
		"cursor": "string", "sort": "array", "fields": "array", "expand": "array", "rank__ne": "integer",
	} {
		p, ok := ps[name]
		if !ok {
			t.Errorf("no parameter %s", name)
			continue
		}
		if !p.Schema.Value.Type.Is(typ) {
			t.Errorf("%s: type %v, want %s", name, p.Schema.Value.Type, typ)
		}
	}
	for _, name := range []string{"extra", "extra__gt", "active__lt", "token__contains", "count__contains", "meta__in"} {
		if _, ok := ps[name]; ok {
			t.Errorf("parameter %s: records does not support that lookup", name)
		}
	}
	if n := len(slices.DeleteFunc(names, func(s string) bool { return s != "sort" })); n != 1 {
		t.Errorf("%d parameters named sort, want 1 (the sort order)", n)
	}
	in := ps["country__in"]
	if in.Style != "form" || in.Explode == nil || *in.Explode || in.Schema.Value.Items.Value.MaxLength == nil {
		t.Errorf("country__in: want a comma-separated (form, explode false) list of values of at most 3 characters")
	}
	limit := ps["limit"].Schema.Value
	if *limit.Min != 1 || *limit.Max != 1000 || limit.Default != float64(20) {
		t.Errorf("limit: min %v max %v default %v", *limit.Min, *limit.Max, limit.Default)
	}
	if enum := ps["expand"].Schema.Value.Items.Value.Enum; !slices.Equal(enum, []any{"owner", "maker"}) {
		t.Errorf("expand: enum %v", enum)
	}
	if enum := ps["sort"].Schema.Value.Items.Value.Enum; slices.Contains(enum, any("meta")) || !slices.Contains(enum, any("-price")) {
		t.Errorf("sort: enum %v (json fields cannot be sorted)", enum)
	}
	if ok := list.Responses.Status(200).Value.Content.Get("application/json").Schema.Ref; ok != "#/components/schemas/ThingList" {
		t.Errorf("list answer: %s", ok)
	}
}

func TestRecordRoutes(t *testing.T) {
	doc := load(t, everyType())
	coll, item := doc.Paths.Find("/data/thing"), doc.Paths.Find("/data/thing/{id}")
	if coll == nil || item == nil || item.Parameters[0].Value.In != "path" {
		t.Fatal("missing paths")
	}
	if coll.Post.Responses.Status(201) == nil || coll.Post.Responses.Status(409) == nil {
		t.Error("POST: want 201 and 409")
	}
	if len(coll.Post.RequestBody.Value.Content.Get("application/json").Schema.Value.OneOf) != 2 {
		t.Error("POST: want one object or an array of them")
	}
	if item.Get.Responses.Status(200).Value.Headers["ETag"] == nil {
		t.Error("GET: no ETag header")
	}
	for method, op := range map[string]*openapi3.Operation{"PUT": item.Put, "PATCH": item.Patch, "DELETE": item.Delete} {
		if _, names := params(op); !slices.Contains(names, "If-Match") {
			t.Errorf("%s: no If-Match", method)
		}
		for _, code := range []int{401, 403, 404, 409, 412} {
			r := op.Responses.Status(code)
			if r == nil {
				t.Errorf("%s: no %d", method, code)
				continue
			}
			if r.Value.Content.Get("application/problem+json").Schema.Ref != "#/components/schemas/ProblemDetails" {
				t.Errorf("%s %d: not a problem document", method, code)
			}
		}
	}
	if doc.Components.SecuritySchemes["bearer"].Value.Scheme != "bearer" || len(doc.Security) != 1 {
		t.Error("want bearer security on every operation")
	}
	if doc.Servers[0].URL != "/api/v1/t/acme" || doc.Info.Version != "7" {
		t.Errorf("server %s, version %s", doc.Servers[0].URL, doc.Info.Version)
	}
}

func TestModelsOf(t *testing.T) {
	ts := &records.Tables{Version: 3, ByName: map[string]*records.Table{}}
	for _, m := range everyType() {
		tbl, err := records.Compile("t_acme", m)
		if err != nil {
			t.Fatal(err)
		}
		ts.ByName[m.Name] = tbl
	}
	if got, want := generate(t, openapi.ModelsOf(ts)), generate(t, everyType()); !bytes.Equal(got, want) {
		t.Error("the document of the compiled tables differs from the models'")
	}
}

func TestDocumentEdges(t *testing.T) {
	// A relation whose model is not in the document: an id, never a dangling $ref.
	doc := load(t, everyType()[:1])
	if owner := doc.Components.Schemas["Thing"].Value.Properties["owner"].Value; owner.OneOf != nil {
		t.Error("owner is expandable without the person model")
	}
	if _, err := openapi.Document(openapi.Info{Tenant: "acme"}, []schema.Model{{Name: "a"}, {Name: "a"}}); err == nil {
		t.Error("duplicate model names: want an error")
	}
	bad := []schema.Model{{Name: "a", Fields: []schema.Field{{Name: "f", Type: "nope"}}}}
	if _, err := openapi.Document(openapi.Info{Tenant: "acme"}, bad); err == nil {
		t.Error("unknown field type: want an error")
	}
	empty := load(t, nil)
	if len(empty.Paths.Map()) != 1 || empty.Paths.Find("/changes") == nil {
		t.Error("no models: want only the tenant's change stream")
	}
}

// TestChangeStreams: a model's stream takes the list's filters and fields, Last-Event-ID,
// and answers text/event-stream or a problem (429, 503 among them); the tenant's stream
// is in the built-in roles' document only.
func TestChangeStreams(t *testing.T) {
	t.Parallel()
	doc := load(t, everyType())
	for _, path := range []string{"/data/thing/changes", "/changes"} {
		op := doc.Paths.Find(path)
		if op == nil || op.Get == nil {
			t.Fatalf("no GET %s", path)
		}
		var params []string
		for _, p := range op.Get.Parameters {
			params = append(params, p.Value.Name)
		}
		if !slices.Contains(params, "Last-Event-ID") {
			t.Errorf("%s: parameters %q lack Last-Event-ID", path, params)
		}
		ok := op.Get.Responses.Status(200)
		if ok == nil || ok.Value.Content.Get("text/event-stream") == nil || ok.Value.Extensions["x-forma-events"] == nil {
			t.Errorf("%s: 200 is not text/event-stream with its events", path)
		}
		for _, code := range []int{400, 403, 429, 503} {
			if r := op.Get.Responses.Status(code); r == nil {
				t.Errorf("%s: no %d", path, code)
			}
		}
	}
	var params []string
	for _, p := range doc.Paths.Find("/data/thing/changes").Get.Parameters {
		params = append(params, p.Value.Name)
	}
	for _, name := range []string{"fields", "id", "id__in"} {
		if !slices.Contains(params, name) {
			t.Errorf("stream parameters %q lack %s", params, name)
		}
	}
	for _, name := range []string{"sort", "limit", "cursor", "expand", "total"} {
		if slices.Contains(params, name) {
			t.Errorf("stream parameters hold %s, which the stream refuses", name)
		}
	}
	role := &access.Stored{Permissions: map[string]map[access.Action]*access.StoredRule{
		"thing": {access.List: {Fields: &access.Fields{All: true}}}}}
	b, err := openapi.DocumentFor(openapi.Info{Tenant: "acme"}, everyType(), role)
	if err != nil {
		t.Fatal(err)
	}
	forRole := loadBytes(t, b)
	if forRole.Paths.Find("/changes") != nil || forRole.Paths.Find("/data/thing/changes") != nil {
		t.Error("a role that may only list sees a change stream")
	}
}
