package openapi_test

import (
	"encoding/json"
	"testing"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

type opts = fieldtype.Options

// everyType is a tenant schema whose "thing" has a field of every type, with options,
// choices, defaults and automatic values, and whose "person" relates to itself.
func everyType() []schema.Model {
	return []schema.Model{
		{Name: "thing", Label: "Thing", Description: "One of every field type.", Fields: []schema.Field{
			{Name: "title", Type: "text", Required: true, Label: "Title", Help: "What it is.",
				Options: opts{"max_length": 20.0, "min_length": 2.0, "pattern": "^[A-Za-z ]+$"}},
			{Name: "country", Type: "text", Required: true, Choices: []any{"PL", "DE", "US"}, Default: "PL",
				Options: opts{"max_length": 3.0}},
			{Name: "note", Type: "text"},
			{Name: "count", Type: "integer", Options: opts{"min": 0.0, "max": json.Number("9223372036854775807")}},
			{Name: "level", Type: "integer", Choices: []any{1.0, 2.0, 3.0}},
			{Name: "ratio", Type: "float", Options: opts{"min": -1.5, "max": 1.5}},
			{Name: "price", Type: "decimal", Required: true, Options: opts{"precision": 8.0, "scale": 2.0}},
			{Name: "whole", Type: "decimal", Options: opts{"precision": 5.0, "scale": 0.0}},
			{Name: "active", Type: "boolean", Default: true},
			{Name: "born", Type: "date"},
			{Name: "seen_at", Type: "datetime"},
			{Name: "stamped", Type: "datetime", Required: true, Options: opts{"auto_now_add": true}},
			{Name: "touched", Type: "datetime", Options: opts{"auto_now": true}},
			{Name: "opens", Type: "time"},
			{Name: "token", Type: "uuid"},
			{Name: "extra", Type: "json"},
			{Name: "meta", Type: "json", Required: true},
			{Name: "contact", Type: "email", Options: opts{"max_length": 100.0}},
			{Name: "home", Type: "url"},
			{Name: "owner", Type: "relation", RelatedModel: "person", Options: opts{"on_delete": "set_null"}},
			{Name: "maker", Type: "relation", RelatedModel: "person", Required: true},
			{Name: "rank", Type: "integer"},
		}},
		{Name: "person", Fields: []schema.Field{
			{Name: "name", Type: "text", Required: true},
			{Name: "boss", Type: "relation", RelatedModel: "person", Options: opts{"on_delete": "set_null"}},
		}},
	}
}

// eventModels is the design document's example, with a relation to itself: the
// golden file's input.
func eventModels() []schema.Model {
	return []schema.Model{
		{Name: "event", Label: "Event", Description: "Analytics events", Fields: []schema.Field{
			{Name: "timestamp", Type: "datetime", Required: true, Options: opts{"auto_now_add": true}},
			{Name: "country", Label: "Country", Type: "text", Required: true, Options: opts{"max_length": 3.0},
				Choices: []any{"PL", "DE", "US"}, Default: "PL", Index: true},
			{Name: "source", Type: "text", Options: opts{"max_length": 10.0}, Help: "where it came from"},
			{Name: "value", Type: "integer", Options: opts{"min": 0.0}},
			{Name: "parent", Type: "relation", RelatedModel: "event", Options: opts{"on_delete": "cascade"}},
		}},
	}
}

// TestModelsAreValid keeps the inputs honest: shared accepts them, and every
// registered field type appears in everyType.
func TestModelsAreValid(t *testing.T) {
	for name, models := range map[string][]schema.Model{"everyType": everyType(), "event": eventModels()} {
		if probs := schema.Validate(models); len(probs) > 0 {
			t.Errorf("%s: %v", name, probs)
		}
	}
	seen := map[string]bool{}
	for _, f := range everyType()[0].Fields {
		seen[f.Type] = true
	}
	for _, typ := range fieldtype.All() {
		if !seen[typ.Name()] {
			t.Errorf("everyType has no %s field: add one (and describe the type in values.go)", typ.Name())
		}
	}
}
