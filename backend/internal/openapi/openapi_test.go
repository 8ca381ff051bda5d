package openapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/santhosh-tekuri/jsonschema/v6"

	"forma.dev/backend/internal/openapi"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// load generates the document of models and loads it with kin-openapi, which must
// find it a valid OpenAPI 3.1 document.
func load(t *testing.T, models []schema.Model) *openapi3.T {
	t.Helper()
	return loadBytes(t, generate(t, models))
}

func generate(t *testing.T, models []schema.Model) []byte {
	t.Helper()
	b, err := openapi.Document(openapi.Info{Tenant: "acme", Version: 7}, models)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func loadBytes(t *testing.T, b []byte) *openapi3.T {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(b)
	if err != nil {
		t.Fatal(err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("invalid document: %v", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		t.Fatalf("openapi = %q, want 3.1", doc.OpenAPI)
	}
	return doc
}

// decode turns JSON text into the values a JSON client sees (numbers as float64).
func decode(t *testing.T, s string) any {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// schemas validates values against the document's component schemas with a JSON
// Schema 2020-12 validator that asserts formats (OpenAPI 3.1 schemas are 2020-12).
type schemas struct {
	t        *testing.T
	c        *jsonschema.Compiler
	compiled map[string]*jsonschema.Schema
}

func newSchemas(t *testing.T, models []schema.Model) *schemas {
	t.Helper()
	b := generate(t, models)
	loadBytes(t, b)
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	if err := c.AddResource("mem:///openapi.json", doc); err != nil {
		t.Fatal(err)
	}
	return &schemas{t: t, c: c, compiled: map[string]*jsonschema.Schema{}}
}

// visit validates v (decoded JSON) against the named component schema.
func (s *schemas) visit(name string, v any) error {
	sch, ok := s.compiled[name]
	if !ok {
		var err error
		if sch, err = s.c.Compile("mem:///openapi.json#/components/schemas/" + name); err != nil {
			s.t.Fatalf("compile %s: %v", name, err)
		}
		s.compiled[name] = sch
	}
	return sch.Validate(v)
}

const thingInput = `{"title": "Blue Box", "note": null, "count": 42, "level": 2, "ratio": 0.5,
	"price": "12.5", "whole": "7", "active": false, "born": "1990-02-28", "seen_at": "2024-05-01T14:30:00+02:00",
	"opens": "08:30", "token": "123E4567-E89B-12D3-A456-426614174000", "extra": {"a": [1, 2]}, "meta": [true],
	"contact": "Ada@Example.COM", "home": "https://example.com/x", "owner": null, "maker": 3, "rank": 1}`

// TestEveryTypeRoundTrips checks the schemas against what shared does with values: an
// app's input passes <Model>Input, and the record Forma returns for it passes <Model>.
func TestEveryTypeRoundTrips(t *testing.T) {
	models := everyType()
	doc := newSchemas(t, models)
	in := decode(t, thingInput).(map[string]any)
	if err := doc.visit("ThingInput", in); err != nil {
		t.Fatalf("input refused: %v", err)
	}
	v, err := record.Compile(models[0])
	if err != nil {
		t.Fatal(err)
	}
	out, probs := v.Validate(in, record.Create)
	if len(probs) > 0 {
		t.Fatalf("shared refused the input: %v", probs)
	}
	out["id"], out["created_at"], out["updated_at"] = 1, "2024-05-01T12:00:00Z", "2024-05-01T12:00:00.123456Z"
	out["stamped"], out["touched"], out["country"] = "2024-05-01T12:00:00Z", "2024-05-01T12:00:00Z", "PL"
	b, _ := json.Marshal(out)
	rec := decode(t, string(b)).(map[string]any)
	if err := doc.visit("Thing", rec); err != nil {
		t.Fatalf("record %s refused: %v", b, err)
	}
	rec["maker"] = decode(t, `{"id": 3, "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-05-01T12:00:00Z", "name": "Ada", "boss": null}`)
	if err := doc.visit("Thing", rec); err != nil {
		t.Fatalf("expanded record refused: %v", err)
	}
	if err := doc.visit("ThingPatch", map[string]any{"note": "x"}); err != nil {
		t.Fatalf("patch refused: %v", err)
	}
}

// TestSchemasRefuse checks that the schemas carry the fields' rules.
func TestSchemasRefuse(t *testing.T) {
	doc := newSchemas(t, everyType())
	base := `"title": "Blue Box", "price": "1", "meta": {}, "maker": 1`
	for _, body := range []string{
		`{"price": "1", "meta": {}, "maker": 1}`, // title is required
		`{` + base + `, "id": 5}`,
		`{` + base + `, "unknown": 1}`,
		`{` + base + `, "stamped": "2024-05-01T12:00:00Z"}`,
		`{"title": "B", "price": "1", "meta": {}, "maker": 1}`,
		`{"title": "Blue 42", "price": "1", "meta": {}, "maker": 1}`,
		`{` + base + `, "country": "FR"}`,
		`{` + base + `, "count": -1}`,
		`{` + base + `, "count": 1.5}`,
		`{` + base + `, "level": 4}`,
		`{` + base + `, "ratio": 2}`,
		`{"title": "Blue Box", "price": "1,5", "meta": {}, "maker": 1}`,
		`{"title": "Blue Box", "price": "1", "meta": null, "maker": 1}`,
		`{` + base + `, "opens": "24:00"}`,
		`{` + base + `, "home": "ftp://example.com"}`,
		`{` + base + `, "maker": null}`,
		`{` + base + `, "owner": 0}`,
		`{` + base + `, "active": "yes"}`,
	} {
		if doc.visit("ThingInput", decode(t, body)) == nil {
			t.Errorf("ThingInput accepted %s", body)
		}
	}
	rec := `"id": 1, "created_at": "2024-05-01T12:00:00Z", "updated_at": "2024-05-01T12:00:00Z", "title": "Box",
		"country": "PL", "note": null, "count": null, "level": null, "ratio": null, "whole": null, "active": true,
		"born": null, "seen_at": null, "stamped": "2024-05-01T12:00:00Z", "touched": null, "opens": null,
		"token": null, "extra": null, "meta": 1, "contact": null, "home": null, "owner": null, "maker": 1, "rank": null`
	if err := doc.visit("Thing", decode(t, `{`+rec+`, "price": "1.50"}`)); err != nil {
		t.Fatalf("record refused: %v", err)
	}
	for _, bad := range []string{`"price": "1.5"`, `"price": "1234567.00"`, `"price": "01.00"`, `"price": null`} {
		if doc.visit("Thing", decode(t, `{`+rec+`, `+bad+`}`)) == nil {
			t.Errorf("Thing accepted %s", bad)
		}
	}
}
