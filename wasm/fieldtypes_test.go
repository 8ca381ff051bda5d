package main

import (
	"encoding/json"
	"slices"
	"testing"

	"forma.dev/shared/fieldtype"
)

// TestFieldTypesCarryEveryFact walks every registered type through the bridge's
// fieldTypes answer: the designer finds each type with the lookups it takes, whether it
// sorts, its wire kind, its JSON Schema and its input.
func TestFieldTypesCarryEveryFact(t *testing.T) {
	out, err := fieldTypes()
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		Name     string          `json:"name"`
		Lookups  []string        `json:"lookups"`
		Sortable *bool           `json:"sortable"`
		Wire     fieldtype.Wire  `json:"wire"`
		JSON     json.RawMessage `json:"json"`
		Input    struct {
			Control, Parse string
		} `json:"input"`
	}
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatal(err)
	}
	byName := map[string]int{}
	for i, d := range got {
		byName[d.Name] = i
	}
	for _, typ := range fieldtype.All() {
		i, ok := byName[typ.Name()]
		if !ok {
			t.Errorf("%s: missing from fieldTypes", typ.Name())
			continue
		}
		d := got[i]
		if d.Lookups == nil || d.Sortable == nil || !slices.Contains(fieldtype.Wires, d.Wire) ||
			len(d.JSON) == 0 || d.Input.Control == "" || d.Input.Parse == "" {
			t.Errorf("%s: incomplete in fieldTypes: %+v", typ.Name(), d)
		}
	}
}
