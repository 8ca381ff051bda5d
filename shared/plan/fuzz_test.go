package plan_test

import (
	"encoding/json"
	"slices"
	"testing"

	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// FuzzPlan plans between two arbitrary models: it must never panic, a model planned
// against itself is empty, and the hash ignores JSON key order and the order of fields,
// unique_together groups and indexes.
func FuzzPlan(f *testing.F) {
	f.Add([]byte(event), []byte(`{"name":"event","fields":[{"id":"2","name":"land","type":"integer","unique":true},{"id":"3","name":"country","type":"text"}]}`))
	f.Add([]byte(`{"name":"m","fields":[{"id":"1","name":"a","type":"text","index":true},{"id":"2","name":"b","type":"text"}]}`),
		[]byte(`{"name":"m","fields":[{"id":"1","name":"b","type":"text","index":true},{"id":"2","name":"a","type":"text"}]}`))
	f.Add([]byte(`{"name":"m","unique_together":[["a","b"],["b","a"],["a"]],"fields":[{"name":"a","type":"decimal","options":{"precision":4}},{"name":"a","type":"json","choices":[1]}]}`),
		[]byte(`{"name":"n","fields":[{"id":"1","name":"a","type":"relation","related_model":"m","default":3}]}`))
	f.Add([]byte(`{"name":"event","indexes":[["country","-timestamp","id"],["-created_at"],[],["x","x"],["-"]],"fields":[{"id":"1","name":"country","type":"text"},{"id":"2","name":"timestamp","type":"datetime"}]}`),
		[]byte(`{"name":"event","indexes":[["land","-timestamp","id"],["timestamp"]],"fields":[{"id":"1","name":"land","type":"text"},{"id":"2","name":"timestamp","type":"date"}]}`))
	f.Fuzz(func(t *testing.T, a, b []byte) {
		var ma, mb schema.Model
		if json.Unmarshal(a, &ma) != nil || json.Unmarshal(b, &mb) != nil {
			return
		}
		if ops := plan.Model(&ma, &ma); len(ops) != 0 {
			t.Fatalf("Model(a, a) = %v", briefs(ops))
		}
		if ops := plan.Schema([]schema.Model{ma, mb}, []schema.Model{ma, mb}); len(ops) != 0 {
			t.Fatalf("Schema(s, s) = %v", briefs(ops))
		}
		for _, op := range append(plan.Model(&ma, &mb), plan.Schema([]schema.Model{ma}, []schema.Model{mb})...) {
			if op.Kind == "" || op.Description == "" || len(op.Name) > schema.MaxNameBytes {
				t.Fatalf("bad op %+v", op)
			}
		}
		plan.Model(nil, &mb)
		plan.Model(&ma, nil)

		h := schema.Hash(ma)
		var generic any
		if json.Unmarshal(a, &generic) == nil {
			sorted, _ := json.Marshal(generic) // keys sorted: another key order
			var again schema.Model
			if json.Unmarshal(sorted, &again) == nil && schema.Hash(again) != h {
				t.Fatalf("key order changed the hash")
			}
		}
		shuffled := ma
		shuffled.Fields = slices.Clone(ma.Fields)
		slices.Reverse(shuffled.Fields)
		shuffled.UniqueTogether = slices.Clone(ma.UniqueTogether)
		slices.Reverse(shuffled.UniqueTogether)
		shuffled.Indexes = slices.Clone(ma.Indexes)
		slices.Reverse(shuffled.Indexes)
		if schema.Hash(shuffled) != h {
			t.Fatalf("field order changed the hash")
		}
	})
}
