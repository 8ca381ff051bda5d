package openapi_test

import (
	"slices"
	"strings"
	"testing"

	"forma.dev/backend/internal/openapi"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// TestAggregateDocumented: the aggregation lists the groups and measures a caller may
// ask for, typed as they are answered, and a role's only over the fields it lists.
func TestAggregateDocumented(t *testing.T) {
	t.Parallel()
	doc := loadBytes(t, generate(t, eventModels()))
	op := doc.Paths.Find("/data/event/aggregate").Get
	enum := map[string][]any{}
	for _, p := range op.Parameters {
		if p.Value.Schema.Value.Items != nil {
			enum[p.Value.Name] = p.Value.Schema.Value.Items.Value.Enum
		}
	}
	for _, g := range []any{"country", "timestamp__hour", "timestamp__year", "created_at__day", "id"} {
		if !slices.Contains(enum["group_by"], g) {
			t.Errorf("group_by %v lacks %v", enum["group_by"], g)
		}
	}
	for _, m := range []any{"count", "sum:value", "avg:value", "count_distinct:parent", "max:timestamp"} {
		if !slices.Contains(enum["measures"], m) {
			t.Errorf("measures %v lacks %v", enum["measures"], m)
		}
	}
	if slices.Contains(enum["measures"], "sum:country") || slices.Contains(enum["group_by"], "country__day") {
		t.Error("a measure or bucket the type does not take is listed")
	}
	row := op.Responses.Status(200).Value.Content["application/json"].Schema.Value.Properties["data"].Value.Items.Value.Properties
	for name, want := range map[string]string{"count": "integer", "sum_value": "integer", "avg_value": "number",
		"timestamp__day": "string", "max_timestamp": "string", "count_distinct_parent": "integer"} {
		if s, ok := row[name]; !ok || !s.Value.Type.Includes(want) {
			t.Errorf("answer %s: %v, want %s", name, s, want)
		}
	}
	if f := row["timestamp__day"].Value.Format; f != "date" {
		t.Errorf("a day is a %q", f)
	}
	for name, exact := range map[string]bool{"sum_value": true, "max_value": false, "value": false, "count": false} {
		if d := row[name].Value.Description; strings.Contains(d, "64 bits") != exact {
			t.Errorf("%s is described %q", name, d)
		}
	}

	models := []schema.Model{{Name: "post", Fields: []schema.Field{{ID: "f1", Name: "title", Type: "text"}, {ID: "f2", Name: "score", Type: "integer"}}}}
	role := &access.Stored{Permissions: map[string]map[access.Action]*access.StoredRule{
		"post": {access.List: {Fields: &access.Fields{Names: []string{"f1"}}}}}}
	b, err := openapi.DocumentFor(openapi.Info{Tenant: "acme", Version: 1}, models, role)
	if err != nil {
		t.Fatal(err)
	}
	roleDoc := loadBytes(t, b)
	for _, p := range roleDoc.Paths.Find("/data/post/aggregate").Get.Parameters {
		if items := p.Value.Schema.Value.Items; items != nil && (slices.Contains(items.Value.Enum, "score") || slices.Contains(items.Value.Enum, "sum:score")) {
			t.Errorf("%s lists score, which the role cannot read: %v", p.Value.Name, items.Value.Enum)
		}
	}
}
