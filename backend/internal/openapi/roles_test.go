package openapi_test

import (
	"slices"
	"sort"
	"testing"

	"forma.dev/backend/internal/openapi"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// TestDocumentForARole: a custom role's document lists only its models, the operations
// its rules allow, the fields it reads and writes and the filters it may use.
func TestDocumentForARole(t *testing.T) {
	t.Parallel()
	models := []schema.Model{
		{Name: "person", Fields: []schema.Field{{ID: "p1", Name: "name", Type: "text"}}},
		{Name: "secret", Fields: []schema.Field{{ID: "s1", Name: "code", Type: "text"}}},
		{Name: "post", Fields: []schema.Field{
			{ID: "f1", Name: "title", Type: "text", Required: true},
			{ID: "f2", Name: "body", Type: "text"},
			{ID: "f3", Name: "author", Type: "relation", RelatedModel: "person"},
			{ID: "f4", Name: "editor", Type: "relation", RelatedModel: "secret"},
		}},
	}
	role := &access.Stored{Permissions: map[string]map[access.Action]*access.StoredRule{
		"post": {
			access.List:   {Fields: &access.Fields{Names: []string{"$id", "f1", "f3", "f4"}}},
			access.Get:    {Fields: &access.Fields{Names: []string{"$id", "f1", "f3"}}},
			access.Create: {Fields: &access.Fields{Names: []string{"f1"}}},
		},
		"person": {access.Get: {Fields: &access.Fields{All: true}}},
	}}
	b, err := openapi.DocumentFor(openapi.Info{Tenant: "acme", Version: 7}, models, role)
	if err != nil {
		t.Fatal(err)
	}
	doc := loadBytes(t, b)

	var paths []string
	for p, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			paths = append(paths, method+" "+p)
		}
	}
	sort.Strings(paths)
	if want := []string{"GET /data/person/changes", "GET /data/person/{id}", "GET /data/post", "GET /data/post/aggregate",
		"GET /data/post/changes", "GET /data/post/export", "GET /data/post/{id}", "POST /data/post"}; !slices.Equal(paths, want) {
		t.Errorf("operations %q, want %q", paths, want)
	}
	props := func(name string) []string {
		var out []string
		for p := range doc.Components.Schemas[name].Value.Properties {
			out = append(out, p)
		}
		sort.Strings(out)
		return out
	}
	if got, want := props("Post"), []string{"author", "editor", "id", "title"}; !slices.Equal(got, want) {
		t.Errorf("Post reads %q, want %q", got, want)
	}
	if got, want := doc.Components.Schemas["Post"].Value.Required, []string{"id", "title", "author"}; !slices.Equal(got, want) {
		t.Errorf("Post requires %q, want %q (what list and get both read)", got, want)
	}
	if got, want := props("PostInput"), []string{"title"}; !slices.Equal(got, want) {
		t.Errorf("PostInput writes %q, want %q", got, want)
	}
	var params []string
	for _, p := range doc.Paths.Find("/data/post").Get.Parameters {
		params = append(params, p.Value.Name)
	}
	for _, name := range []string{"title", "title__in", "author", "editor", "sort", "fields", "expand"} {
		if !slices.Contains(params, name) {
			t.Errorf("list parameters %q lack %s", params, name)
		}
	}
	for _, name := range []string{"body", "body__contains", "created_at"} {
		if slices.Contains(params, name) {
			t.Errorf("list parameters hold %s, which the role cannot read", name)
		}
	}
	// The stream filters on what the get rule reads (not editor, which only the list reads).
	var streamParams []string
	for _, p := range doc.Paths.Find("/data/post/changes").Get.Parameters {
		streamParams = append(streamParams, p.Value.Name)
	}
	for _, name := range []string{"title", "author", "fields", "Last-Event-ID"} {
		if !slices.Contains(streamParams, name) {
			t.Errorf("stream parameters %q lack %s", streamParams, name)
		}
	}
	for _, name := range []string{"editor", "body", "sort", "limit", "expand"} {
		if slices.Contains(streamParams, name) {
			t.Errorf("stream parameters hold %s", name)
		}
	}
	for _, p := range doc.Paths.Find("/data/post").Get.Parameters {
		if p.Value.Name == "expand" {
			if got := p.Value.Schema.Value.Items.Value.Enum; !slices.Equal(got, []any{"author"}) {
				t.Errorf("expand %v, want only author (the role cannot get secret)", got)
			}
		}
	}
	if _, ok := doc.Components.Schemas["Secret"]; ok {
		t.Error("the document describes model secret, which the role cannot use")
	}
}
