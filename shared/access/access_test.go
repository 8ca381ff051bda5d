package access_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"forma.dev/shared/access"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// modelsJSON is the tenant of the tests: fields with ids, as the server keeps them.
const modelsJSON = `[
 {"name":"post","fields":[
  {"id":"f_title","name":"title","type":"text","options":{"max_length":20}},
  {"id":"f_owner","name":"owner","type":"text"},
  {"id":"f_status","name":"status","type":"text","choices":["draft","published"]},
  {"id":"f_score","name":"score","type":"integer","options":{"min":0}},
  {"id":"f_public","name":"public","type":"boolean"},
  {"id":"f_data","name":"data","type":"json"},
  {"id":"f_price","name":"price","type":"decimal","options":{"precision":6,"scale":2}},
  {"id":"f_author","name":"author","type":"relation","related_model":"person"},
  {"id":"f_stamp","name":"stamp","type":"datetime","options":{"auto_now_add":true}},
  {"id":"f_title2","name":"subtitle","type":"text","required":true}]},
 {"name":"person","fields":[{"id":"p_name","name":"name","type":"text"}]}
]`

func decode(t testing.TB, src string, v any) {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(src))
	d.UseNumber()
	if err := d.Decode(v); err != nil {
		t.Fatalf("decode %s: %v", src, err)
	}
}

func models(t testing.TB) []schema.Model {
	var ms []schema.Model
	decode(t, modelsJSON, &ms)
	if list := schema.Validate(ms); len(list) > 0 {
		t.Fatalf("test models: %v", list)
	}
	return ms
}

func role(t testing.TB, src string) access.Role {
	var r access.Role
	decode(t, src, &r)
	return r
}

// lines renders problems as "path code" lines.
func lines(list problem.List) []string {
	out := make([]string, len(list))
	for i, p := range list {
		out[i] = p.Path + " " + p.Code
	}
	return out
}

func TestFieldsJSON(t *testing.T) {
	for _, s := range []struct{ in, out string }{
		{`"*"`, `"*"`}, {`["a","b"]`, `["a","b"]`}, {`[]`, `[]`},
	} {
		var f access.Fields
		if err := json.Unmarshal([]byte(s.in), &f); err != nil {
			t.Fatalf("%s: %v", s.in, err)
		}
		b, err := json.Marshal(f)
		if err != nil || string(b) != s.out {
			t.Fatalf("%s: got %s, %v", s.in, b, err)
		}
	}
	for _, bad := range []string{`"a"`, `1`, `{}`, `[1]`, `true`, `["a",null,3]`, `"**"`} {
		var f access.Fields
		if err := json.Unmarshal([]byte(bad), &f); err == nil {
			t.Errorf("%s: want an error, got %+v", bad, f)
		}
	}
	var r access.Rule
	if err := json.Unmarshal([]byte(`{"fields":null}`), &r); err != nil || r.Fields != nil {
		t.Fatalf("null fields: %+v %v", r.Fields, err)
	}
	if b, _ := json.Marshal(access.Fields{}); string(b) != "[]" {
		t.Fatalf("empty fields: %s", b)
	}
}

func TestCompileProblems(t *testing.T) {
	long := strings.Repeat("x", access.MaxDescriptionBytes+1)
	many := make([]string, access.MaxInValues+1)
	for i := range many {
		many[i] = `"a"`
	}
	scenarios := []struct {
		name, role string
		want       []string
	}{
		{"valid", `{"description":"reads its own posts","permissions":{"post":{
			"list":{"filter":{"owner":"$auth.sub","status__in":["published","$auth.status"]},"fields":"*"},
			"get":{"filter":{"owner":"$auth.sub"},"fields":["id","title","created_at"]},
			"create":{"fields":["title","owner"],"presets":{"owner":"$auth.sub","status":"draft"}},
			"update":{"filter":{"owner":"$auth.sub"},"fields":["title"]},
			"delete":{"filter":{"owner":"$auth.sub","status":"draft"}}},
			"person":{"get":{"fields":"*"}}}}`, nil},
		{"no permissions", `{}`, nil},
		{"empty model", `{"permissions":{"post":{}}}`, nil},
		{"unknown model", `{"permissions":{"nosuch":{"list":{"fields":"*"}},"post":{}}}`,
			[]string{"permissions.nosuch unknown_model"}},
		{"unknown action", `{"permissions":{"post":{"publish":{},"read":{}}}}`,
			[]string{"permissions.post.publish unknown_action", "permissions.post.read unknown_action"}},
		{"fields required", `{"permissions":{"post":{"list":{},"get":{},"create":{},"update":null,"delete":{}}}}`,
			[]string{"permissions.post.create.fields required", "permissions.post.get.fields required",
				"permissions.post.list.fields required", "permissions.post.update.fields required"}},
		{"fields on delete", `{"permissions":{"post":{"delete":{"fields":"*"}}}}`,
			[]string{"permissions.post.delete.fields not_allowed"}},
		{"presets not on create", `{"permissions":{"post":{"update":{"fields":"*","presets":{"owner":"x"}},"list":{"fields":"*","presets":{"owner":"x"}}}}}`,
			[]string{"permissions.post.list.presets not_allowed", "permissions.post.update.presets not_allowed"}},
		{"fields", `{"permissions":{"post":{"list":{"fields":["title","nosuch","title","id"]}}}}`,
			[]string{"permissions.post.list.fields[1] unknown_field", "permissions.post.list.fields[2] duplicate"}},
		{"write fields", `{"permissions":{"post":{"create":{"fields":["title","id","stamp"]},"update":{"fields":["updated_at"]}}}}`,
			[]string{"permissions.post.create.fields[1] read_only", "permissions.post.create.fields[2] read_only",
				"permissions.post.update.fields[0] read_only"}},
		{"filter fields and lookups", `{"permissions":{"post":{"list":{"fields":"*","filter":{
			"nosuch":1,"title__gtx":"a","title__":"a","owner__in__in":["a"],"public__lt":true,"data":{},"id__contains":"1","created_at__gte":"2026-01-01T00:00:00Z","id__in":[1,2]}}}}}`,
			[]string{"permissions.post.list.filter.data unknown_lookup", "permissions.post.list.filter.id__contains unknown_lookup",
				"permissions.post.list.filter.nosuch unknown_field", "permissions.post.list.filter.owner__in__in unknown_lookup",
				"permissions.post.list.filter.public__lt unknown_lookup", "permissions.post.list.filter.title__ unknown_lookup",
				"permissions.post.list.filter.title__gtx unknown_lookup"}},
		{"filter values", `{"permissions":{"post":{"get":{"fields":"*","filter":{
			"score":"many","score__gte":-1,"title":"` + strings.Repeat("t", 21) + `","public":"yes","owner__isnull":"true",
			"owner__in":"a","title__in":["a",1,null,"$auth.x"],"title__contains":5,"title__startswith":"a\u0000",
			"price":"12345.6","author":0,"created_at__lt":"yesterday","id":"$auth.sub","status":null}}}}}`,
			[]string{"permissions.post.get.filter.author min", "permissions.post.get.filter.created_at__lt invalid_format",
				"permissions.post.get.filter.owner__in invalid_type", "permissions.post.get.filter.owner__isnull invalid_type",
				"permissions.post.get.filter.price precision", "permissions.post.get.filter.public invalid_type",
				"permissions.post.get.filter.score invalid_type", "permissions.post.get.filter.score__gte min",
				"permissions.post.get.filter.status invalid_value", "permissions.post.get.filter.title max_length",
				"permissions.post.get.filter.title__contains invalid_type", "permissions.post.get.filter.title__in[1] invalid_type",
				"permissions.post.get.filter.title__in[2] invalid_value", "permissions.post.get.filter.title__startswith invalid_value"}},
		{"in bound", `{"permissions":{"post":{"get":{"fields":"*","filter":{"owner__in":[` + strings.Join(many, ",") + `]}}}}}`,
			[]string{"permissions.post.get.filter.owner__in max_items"}},
		{"variables", `{"permissions":{"post":{"list":{"fields":"*","filter":{
			"owner":"$user.id","title":"$auth.","status":"$auth.a..b","score":"$auth.1x","public":"$auth.a.b.c.d.e.f.g.h.i",
			"subtitle":"$auth.` + strings.Repeat("a", 201) + `","author":"$","price":"$auth","data__isnull":"$auth.x",
			"id":"$auth.org.id_2","created_at":"$auth._x.Y"}}}}}`,
			[]string{"permissions.post.list.filter.author unknown_variable", "permissions.post.list.filter.data__isnull invalid_type",
				"permissions.post.list.filter.owner unknown_variable", "permissions.post.list.filter.price unknown_variable",
				"permissions.post.list.filter.public invalid_value", "permissions.post.list.filter.score invalid_format",
				"permissions.post.list.filter.status invalid_format", "permissions.post.list.filter.subtitle too_long",
				"permissions.post.list.filter.title invalid_format"}},
		{"escaped literal", `{"permissions":{"post":{"list":{"fields":"*","filter":{"owner":"$$auth.sub","score":"$$5","title__in":["$$x","$y"]}}}}}`,
			[]string{"permissions.post.list.filter.score invalid_type", "permissions.post.list.filter.title__in[1] unknown_variable"}},
		{"presets", `{"permissions":{"post":{"create":{"fields":[],"presets":{
			"nosuch":1,"id":5,"stamp":"2026-01-01T00:00:00Z","status":"gone","score":"$auth.score","title":"$nope",
			"subtitle":null,"owner":null,"public":"$$x","created_at":"$auth.x"}}}}}`,
			[]string{"permissions.post.create.presets.created_at read_only", "permissions.post.create.presets.id read_only",
				"permissions.post.create.presets.nosuch unknown_field", "permissions.post.create.presets.public invalid_type",
				"permissions.post.create.presets.stamp read_only", "permissions.post.create.presets.status choice",
				"permissions.post.create.presets.subtitle required", "permissions.post.create.presets.title unknown_variable"}},
		{"description", `{"description":"a\u0000b","permissions":{}}`, []string{"description invalid_value"}},
		{"description too long", `{"description":"` + long + `"}`, []string{"description too_long"}},
		{"every problem at once", `{"description":"` + long + `","permissions":{"nosuch":{},"post":{"publish":{},"list":{"filter":{"x":1}}}}}`,
			[]string{"description too_long", "permissions.nosuch unknown_model", "permissions.post.list.filter.x unknown_field",
				"permissions.post.list.fields required", "permissions.post.publish unknown_action"}},
	}
	ms := models(t)
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			stored, list := access.Compile(role(t, s.role), ms)
			if got := lines(list); !slices.Equal(got, s.want) {
				t.Fatalf("problems\n got: %q\nwant: %q", got, s.want)
			}
			if (stored == nil) != (len(s.want) > 0) {
				t.Fatalf("stored %v with problems %v", stored, list)
			}
			for _, p := range list {
				if p.Message == "" || strings.Contains(p.Message, "{") {
					t.Errorf("%s: message %q", p.Path, p.Message)
				}
			}
		})
	}
}

func TestCompileBounds(t *testing.T) {
	ms := models(t)
	filter := map[string]any{}
	for i := range access.MaxFilterTerms + 1 {
		filter["t"+strings.Repeat("x", i)] = 1 // unknown fields: not checked past the bound
	}
	r := access.Role{Permissions: map[string]map[access.Action]*access.Rule{
		"post": {access.List: {Filter: filter, Fields: &access.Fields{All: true}}}}}
	_, list := access.Compile(r, ms)
	if got, want := lines(list), []string{"permissions.post.list.filter max_items"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	perms := map[string]map[access.Action]*access.Rule{}
	for i := range access.MaxModels + 1 {
		perms["m"+strings.Repeat("x", i)] = nil
	}
	_, list = access.Compile(access.Role{Permissions: perms}, ms)
	if got, want := lines(list), []string{"permissions max_items"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
	names := make([]string, access.MaxFields+1)
	_, list = access.Compile(access.Role{Permissions: map[string]map[access.Action]*access.Rule{
		"post": {access.Get: {Fields: &access.Fields{Names: names}}}}}, ms)
	if got, want := lines(list), []string{"permissions.post.get.fields max_items"}; !slices.Equal(got, want) {
		t.Fatalf("got %q, want %q", got, want)
	}
}
