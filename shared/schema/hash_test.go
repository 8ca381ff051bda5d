package schema_test

import (
	"encoding/json"
	"testing"

	"forma.dev/shared/schema"
)

const base = `{"name":"event","label":"Event","admin":true,"unique_together":[["country","source"]],"fields":[
	{"id":"f1","name":"country","label":"Country","type":"text","required":true,"options":{"max_length":3},"choices":["PL","DE"],"default":"PL","order":1},
	{"id":"f2","name":"source","type":"text","options":{"max_length":10},"help":"where"},
	{"id":"f3","name":"value","type":"integer","options":{"min":0,"max":100}},
	{"id":"f4","name":"price","type":"decimal","options":{"precision":10,"scale":2},"default":"1.5"}]}`

func TestHashSame(t *testing.T) {
	h := schema.Hash(model(t, base))
	scenarios := map[string]string{
		"key order and spacing": `{"fields":[
			{"options":{"max_length":3},"type":"text","name":"country","id":"f1","required":true,"choices":["PL","DE"],"default":"PL"},
			{"name":"source","id":"f2","type":"text","options":{"max_length":10}},
			{"name":"value","id":"f3","type":"integer","options":{"max":100,"min":0}},
			{"name":"price","id":"f4","type":"decimal","options":{"scale":2,"precision":10},"default":"1.5"}],
			"unique_together":[["source","country"]],"name":"event"}`,
		"3 vs 3.0 vs 3e0": `{"name":"event","unique_together":[["country","source"]],"fields":[
			{"id":"f1","name":"country","type":"text","required":true,"options":{"max_length":3.0},"choices":["DE","PL"],"default":"PL"},
			{"id":"f2","name":"source","type":"text","options":{"max_length":1e1}},
			{"id":"f3","name":"value","type":"integer","options":{"min":0.0,"max":100}},
			{"id":"f4","name":"price","type":"decimal","options":{"precision":10,"scale":2},"default":1.50}]}`,
		"labels, help, order, admin, field order": `{"name":"event","label":"Events!","description":"x","unique_together":[["country","source"]],"fields":[
			{"id":"f4","name":"price","type":"decimal","options":{"precision":10,"scale":2},"default":"1.50","label":"Price"},
			{"id":"f3","name":"value","type":"integer","options":{"min":0,"max":100},"order":9},
			{"id":"f2","name":"source","type":"text","options":{"max_length":10},"help":"other","description":"d"},
			{"id":"f1","name":"country","type":"text","required":true,"options":{"max_length":3,"pattern":null},"choices":["PL","DE"],"default":"PL"}]}`,
	}
	for name, src := range scenarios {
		t.Run(name, func(t *testing.T) {
			m := model(t, src)
			if got := schema.Hash(m); got != h {
				t.Errorf("hash changed")
			}
			if !schema.Cosmetic(model(t, base), m) {
				t.Errorf("not cosmetic")
			}
		})
	}
	// float64 and json.Number decoding hash the same.
	var plain schema.Model
	if err := json.Unmarshal([]byte(base), &plain); err != nil {
		t.Fatal(err)
	}
	if schema.Hash(plain) != h {
		t.Errorf("float64 and json.Number decodings differ")
	}
}

func TestHashDifferent(t *testing.T) {
	h := schema.Hash(model(t, base))
	scenarios := map[string]string{
		"option":          `{"name":"event","fields":[{"id":"f1","name":"country","type":"text","options":{"max_length":4}}]}`,
		"name":            `{"name":"events"}`,
		"required":        `{"name":"event","fields":[{"id":"f1","name":"country","type":"text","required":false}]}`,
		"unique_together": `{"name":"event","unique_together":[]}`,
	}
	for name, change := range scenarios {
		t.Run(name, func(t *testing.T) {
			m := model(t, base)
			patch := model(t, change)
			m.Name = patch.Name
			if patch.UniqueTogether != nil {
				m.UniqueTogether = patch.UniqueTogether
			}
			if len(patch.Fields) > 0 {
				f := m.Fields[0]
				f.Required = patch.Fields[0].Required
				if patch.Fields[0].Options != nil {
					f.Options = patch.Fields[0].Options
				}
				m.Fields[0] = f
			}
			if schema.Hash(m) == h || schema.Cosmetic(model(t, base), m) {
				t.Errorf("hash did not change")
			}
		})
	}
	swapped := model(t, base)
	swapped.Fields[0].Name, swapped.Fields[1].Name = swapped.Fields[1].Name, swapped.Fields[0].Name
	swapped.Fields[0].ID, swapped.Fields[1].ID = swapped.Fields[1].ID, swapped.Fields[0].ID
	if schema.Hash(swapped) == h {
		t.Errorf("a swap of ids must change the hash")
	}
}

// baseHash is the hash of base before models had indexes: a model without indexes must
// keep it, or every stored hash would stop matching its definition.
const baseHash = "977a3798072aabf2c31a9649229480fabb021dfa474ec616f5931e8add2665ed"

func TestHashIndexes(t *testing.T) {
	if h := schema.Hash(model(t, base)); h != baseHash {
		t.Fatalf("the hash of a model without indexes changed: %s", h)
	}
	plain := model(t, base)
	plain.Indexes = [][]string{}
	if schema.Hash(plain) != baseHash {
		t.Errorf("an empty indexes list changed the hash")
	}
	withIndexes := func(src string) string {
		m := model(t, base)
		m.Indexes = model(t, `{"indexes":`+src+`}`).Indexes
		return schema.Hash(m)
	}
	h := withIndexes(`[["country","-value"],["-created_at"]]`)
	if h == baseHash {
		t.Fatalf("indexes did not change the hash")
	}
	if withIndexes(`[["-created_at"],["country","-value"]]`) != h {
		t.Errorf("the order of the indexes changed the hash")
	}
	for _, other := range []string{
		`[["country","value"],["-created_at"]]`,  // direction
		`[["-value","country"],["-created_at"]]`, // column order
		`[["country","-value"]]`,                 // one index fewer
		`[["country","-value"],["-created_at"],["source"]]`,
	} {
		if withIndexes(other) == h {
			t.Errorf("%s hashes like the original", other)
		}
	}
	// Key order and spacing do not matter.
	a := model(t, `{"name":"m","indexes":[["a","-id"]],"fields":[{"id":"1","name":"a","type":"text"}]}`)
	b := model(t, `{"fields":[{"type":"text","name":"a","id":"1"}], "indexes": [ ["a", "-id"] ], "name":"m"}`)
	if schema.Hash(a) != schema.Hash(b) || !schema.Cosmetic(a, b) {
		t.Errorf("key order changed the hash")
	}
}

func TestSchemaHash(t *testing.T) {
	a, b := model(t, base), model(t, `{"name":"user","fields":[{"name":"email","type":"email"}]}`)
	if schema.SchemaHash([]schema.Model{a, b}) != schema.SchemaHash([]schema.Model{b, a}) {
		t.Errorf("model order changed the schema hash")
	}
	if schema.SchemaHash([]schema.Model{a}) == schema.SchemaHash([]schema.Model{a, b}) {
		t.Errorf("a new model did not change the schema hash")
	}
}

func TestCanonical(t *testing.T) {
	same := [][]any{
		{3, 3.0, int64(3), json.Number("3"), json.Number("3.0"), json.Number("0.3e1"), json.Number("30e-1")},
		{0.1, json.Number("0.1"), json.Number("1e-1")},
		{0, json.Number("-0"), json.Number("0.000")},
		{map[string]any{"a": 1, "b": []any{true, nil}}, map[string]any{"b": []any{true, nil}, "a": 1.0}},
	}
	for _, group := range same {
		for _, v := range group[1:] {
			if schema.Canonical(v) != schema.Canonical(group[0]) {
				t.Errorf("%#v encodes as %s, %#v as %s", v, schema.Canonical(v), group[0], schema.Canonical(group[0]))
			}
		}
	}
	if schema.Canonical("3") == schema.Canonical(3) || schema.Canonical(json.Number("0.1000000000000000000001")) == schema.Canonical(0.1) {
		t.Errorf("distinct values encode the same")
	}
}
