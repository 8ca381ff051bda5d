package access_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// viewer is a role that uses every kind of rule; viewerNamed is how Named shows it:
// values normalised, nothing else changed.
const viewer = `{"description":"authors","permissions":{
 "post":{
  "list":{"filter":{"owner":"$auth.sub","status__in":["published","$auth.org.status","$$draft"],"score__gte":1.0,
   "public":true,"data__isnull":false,"title__icontains":"$$x","created_at__gte":"2026-01-02T03:04:05+01:00","id__lt":10},"fields":"*"},
  "get":{"filter":{"owner":"$auth.sub"},"fields":["id","title","owner","created_at"]},
  "create":{"filter":{"owner":"$auth.sub"},"fields":["title","score"],"presets":{"owner":"$auth.sub","status":"draft","price":"1.5","public":false,"data":{"a":[1]}}},
  "update":{"filter":{"owner":"$auth.sub"},"fields":["title"]},
  "delete":{"filter":{"owner":"$auth.sub","status":"draft"}}},
 "person":{"get":{"fields":"*"},"list":{"fields":[]}}}}`

const viewerNamed = `{"description":"authors","permissions":{
 "post":{
  "list":{"filter":{"owner":"$auth.sub","status__in":["published","$auth.org.status","$$draft"],"score__gte":1,
   "public":true,"data__isnull":false,"title__icontains":"$$x","created_at__gte":"2026-01-02T02:04:05Z","id__lt":10},"fields":"*"},
  "get":{"filter":{"owner":"$auth.sub"},"fields":["id","title","owner","created_at"]},
  "create":{"filter":{"owner":"$auth.sub"},"fields":["title","score"],"presets":{"owner":"$auth.sub","status":"draft","price":"1.50","public":false,"data":{"a":[1]}}},
  "update":{"filter":{"owner":"$auth.sub"},"fields":["title"]},
  "delete":{"filter":{"owner":"$auth.sub","status":"draft"}}},
 "person":{"get":{"fields":"*"},"list":{"fields":[]}}}}`

// canonical renders v as JSON with numbers and key order made comparable.
func canonical(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var x any
	decode(t, string(b), &x)
	return schema.Canonical(x)
}

func compileOK(t testing.TB, src string, ms []schema.Model) *access.Stored {
	t.Helper()
	s, list := access.Compile(role(t, src), ms)
	if len(list) > 0 || s == nil {
		t.Fatalf("compile: %v", list)
	}
	return s
}

func TestNamedRoundTrip(t *testing.T) {
	ms := models(t)
	s := compileOK(t, viewer, ms)
	if got, want := canonical(t, s.Named(ms)), canonical(t, role(t, viewerNamed)); got != want {
		t.Fatalf("named\n got: %s\nwant: %s", got, want)
	}
	again := compileOK(t, viewerNamed, ms)
	if !reflect.DeepEqual(s, again) {
		t.Fatalf("compiling the named form again differs:\n%+v\n%+v", s, again)
	}
	if list := s.Check(ms); len(list) > 0 {
		t.Fatalf("check of the same models: %v", list)
	}
}

func TestStoredByID(t *testing.T) {
	ms := models(t)
	s := compileOK(t, viewer, ms)
	get := s.Permissions["post"][access.Get]
	if want := []string{"$id", "f_title", "f_owner", "$created_at"}; !slices.Equal(get.Fields.Names, want) {
		t.Fatalf("get fields %q, want %q", get.Fields.Names, want)
	}
	if want := []access.Condition{{Field: "f_owner", Var: "sub"}}; !reflect.DeepEqual(get.Filter, want) {
		t.Fatalf("get filter %+v", get.Filter)
	}
	list := s.Permissions["post"][access.List]
	var in access.Condition
	for _, c := range list.Filter {
		if c.Lookup == "in" {
			in = c
		}
	}
	want := access.Condition{Field: "f_status", Lookup: "in", Values: []any{"published", access.Variable{Var: "org.status"}, "$draft"}}
	if !reflect.DeepEqual(in, want) {
		t.Fatalf("in: %+v, want %+v", in, want)
	}
	if s.Names["post"]["f_owner"] != "owner" {
		t.Fatalf("names: %v", s.Names)
	}
	// kept as JSON and read back, the role checks and shows the same
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	var back access.Stored
	decode(t, string(b), &back)
	if list := back.Check(ms); len(list) > 0 {
		t.Fatalf("check after JSON: %v", list)
	}
	if got, want := canonical(t, back.Named(ms)), canonical(t, s.Named(ms)); got != want {
		t.Fatalf("named after JSON\n got: %s\nwant: %s", got, want)
	}
	var plain access.Stored // without UseNumber, as encoding/json reads by default
	if err := json.Unmarshal(b, &plain); err != nil {
		t.Fatal(err)
	}
	if list := plain.Check(ms); len(list) > 0 {
		t.Fatalf("check after plain JSON: %v", list)
	}
}

// edit returns the test models with fn applied to the field named name of post.
func edit(t *testing.T, name string, fn func(f *schema.Field)) []schema.Model {
	ms := models(t)
	for i := range ms[0].Fields {
		if ms[0].Fields[i].Name == name {
			fn(&ms[0].Fields[i])
			return ms
		}
	}
	t.Fatalf("no field %s", name)
	return nil
}

func drop(t *testing.T, name string) []schema.Model {
	ms := models(t)
	ms[0].Fields = slices.DeleteFunc(ms[0].Fields, func(f schema.Field) bool { return f.Name == name })
	return ms
}

func TestRenameKeepsRules(t *testing.T) {
	s := compileOK(t, viewer, models(t))
	renamed := edit(t, "owner", func(f *schema.Field) { f.Name = "author_sub" })
	if list := s.Check(renamed); len(list) > 0 {
		t.Fatalf("a rename must pass: %v", list)
	}
	named := s.Named(renamed)
	if got := named.Permissions["post"][access.Get].Filter["author_sub"]; got != "$auth.sub" {
		t.Fatalf("renamed filter: %v", named.Permissions["post"][access.Get].Filter)
	}
	if got := named.Permissions["post"][access.Get].Fields.Names; !slices.Equal(got, []string{"id", "title", "author_sub", "created_at"}) {
		t.Fatalf("renamed fields: %q", got)
	}
	if _, ok := named.Permissions["post"][access.Create].Presets["author_sub"]; !ok {
		t.Fatalf("renamed presets: %v", named.Permissions["post"][access.Create].Presets)
	}
}

func TestCheck(t *testing.T) {
	s := compileOK(t, viewer, models(t))
	scenarios := []struct {
		name   string
		models []schema.Model
		want   []string
	}{
		{"drop owner", drop(t, "owner"), []string{
			"permissions.post.create.filter.owner", "permissions.post.create.presets.owner",
			"permissions.post.delete.filter.owner", "permissions.post.get.filter.owner",
			"permissions.post.get.fields[2]", "permissions.post.list.filter.owner",
			"permissions.post.update.filter.owner"}},
		{"drop title", drop(t, "title"), []string{
			"permissions.post.create.fields[0]", "permissions.post.get.fields[1]",
			"permissions.post.list.filter.title__icontains", "permissions.post.update.fields[0]"}},
		{"score to boolean: no __gte", edit(t, "score", func(f *schema.Field) { f.Type, f.Options = "boolean", nil }),
			[]string{"permissions.post.list.filter.score__gte"}},
		{"score minimum raised", edit(t, "score", func(f *schema.Field) { f.Options = map[string]any{"min": 2} }),
			[]string{"permissions.post.list.filter.score__gte"}},
		{"status to integer", edit(t, "status", func(f *schema.Field) { f.Type, f.Choices = "integer", nil }),
			[]string{"permissions.post.create.presets.status", "permissions.post.delete.filter.status",
				"permissions.post.list.filter.status__in"}},
		{"status choices", edit(t, "status", func(f *schema.Field) { f.Choices = []any{"open"} }),
			[]string{"permissions.post.create.presets.status"}},
		{"score now automatic", edit(t, "score", func(f *schema.Field) { f.Type, f.Options = "datetime", map[string]any{"auto_now": true} }),
			[]string{"permissions.post.create.fields[1]", "permissions.post.list.filter.score__gte"}},
		{"person dropped", models(t)[:1], []string{"permissions.person"}},
	}
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			list := s.Check(sc.models)
			var got []string
			for _, p := range list {
				if p.Code != "rule_uses_field" {
					t.Errorf("%s: code %s", p.Path, p.Code)
				}
				got = append(got, p.Path)
			}
			if !slices.Equal(got, sc.want) {
				t.Fatalf("paths\n got: %q\nwant: %q", got, sc.want)
			}
		})
	}
	list := s.Check(drop(t, "owner"))
	if p := list[0]; p.Params["name"] != "post.owner" || p.Params["field"] != "owner" || p.Params["model"] != "post" ||
		!strings.Contains(p.Message, "post.owner") {
		t.Fatalf("problem %+v", p)
	}
	// Named leaves a dropped field out
	named := s.Named(drop(t, "owner"))
	if _, ok := named.Permissions["post"][access.Get].Filter["owner"]; ok || len(named.Permissions["post"][access.Get].Fields.Names) != 3 {
		t.Fatalf("named after drop: %+v", named.Permissions["post"][access.Get])
	}
	if _, ok := s.Named(models(t)[:1]).Permissions["person"]; ok {
		t.Fatal("named keeps a dropped model")
	}
}

// A field dropped and a new one given its name is a new field: the rule is gone.
func TestDropAndAddIsNotARename(t *testing.T) {
	s := compileOK(t, `{"permissions":{"post":{"get":{"fields":["owner"]}}}}`, models(t))
	ms := edit(t, "owner", func(f *schema.Field) { f.ID = "f_new" })
	if got := lines(s.Check(ms)); !slices.Equal(got, []string{"permissions.post.get.fields[0] rule_uses_field"}) {
		t.Fatalf("got %q", got)
	}
}

func TestDraftFieldsWithoutIDs(t *testing.T) {
	ms := models(t)
	for i := range ms[0].Fields {
		ms[0].Fields[i].ID = ""
	}
	s := compileOK(t, viewer, ms)
	if got := s.Permissions["post"][access.Get].Fields.Names; !slices.Equal(got, []string{"$id", "title", "owner", "$created_at"}) {
		t.Fatalf("fields %q", got)
	}
	if list := s.Check(ms); len(list) > 0 {
		t.Fatal(list)
	}
}

func TestCheckName(t *testing.T) {
	for name, want := range map[string][]string{
		"viewer": nil, "admin": {" builtin_role"}, "write": {" builtin_role"}, "read": {" builtin_role"},
		"": {" required"}, "Viewer": {" invalid_name"}, "select": {" reserved_word"},
		strings.Repeat("a", 64): {" too_long"},
	} {
		if got := lines(access.CheckName(name)); !slices.Equal(got, want) {
			t.Errorf("%q: got %q, want %q", name, got, want)
		}
	}
}

func TestClaim(t *testing.T) {
	vars := map[string]any{"sub": "u1", "org": map[string]any{"id": 7.0, "tags": []any{"a"}}}
	for path, want := range map[string]any{"sub": "u1", "org.id": 7.0} {
		if got, ok := access.Claim(vars, path); !ok || got != want {
			t.Errorf("%s: %v %v", path, got, ok)
		}
	}
	for _, path := range []string{"nope", "sub.x", "org.nope", "org.tags.x"} {
		if got, ok := access.Claim(vars, path); ok {
			t.Errorf("%s: %v", path, got)
		}
	}
}

// A kept role built by hand: nil rules, variables as pointers.
func TestStoredByHand(t *testing.T) {
	ms := models(t)
	s := &access.Stored{Permissions: map[string]map[access.Action]*access.StoredRule{"post": {
		access.Delete: nil,
		access.List: {Fields: &access.Fields{}, Filter: []access.Condition{
			{Field: "f_owner", Lookup: "in", Values: []any{&access.Variable{Var: "sub"}, "$x"}}}},
	}}}
	if list := s.Check(ms); len(list) > 0 {
		t.Fatal(list)
	}
	want := `{"permissions":{"post":{"delete":{},"list":{"fields":[],"filter":{"owner__in":["$auth.sub","$$x"]}}}}}`
	if got := canonical(t, s.Named(ms)); got != canonical(t, role(t, want)) {
		t.Fatalf("got %s", got)
	}
}
