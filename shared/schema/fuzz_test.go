package schema_test

import (
	"encoding/json"
	"testing"

	"forma.dev/shared/schema"
)

// FuzzValidate decodes arbitrary JSON as a tenant schema: validating and hashing it must
// never panic, and validation must answer the same twice.
func FuzzValidate(f *testing.F) {
	f.Add([]byte(`[` + base + `]`))
	f.Add([]byte(`[{"name":"a","unique_together":[["x","x"],[]],"fields":[{"name":"x","type":"relation","related_model":"a","required":true,"options":{"on_delete":"set_null"}}]}]`))
	f.Add([]byte(`[{"name":"b","fields":[{"name":"d","type":"decimal","options":{"precision":5,"scale":9},"choices":[1,"1.0",null],"default":{}}]}]`))
	f.Add([]byte(`[{"name":"order","fields":[{"name":"id","type":"json","unique":true,"choices":[[]]}]},{"name":"order"}]`))
	f.Add([]byte(`[{"name":"event","indexes":[["country","-timestamp","id"],["-created_at"],[],["country","-country"],["-"],["data"],["-created_at"]],"fields":[{"name":"country","type":"text"},{"name":"timestamp","type":"datetime"},{"name":"data","type":"json"}]}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var models []schema.Model
		if json.Unmarshal(data, &models) != nil {
			return
		}
		a, b := schema.Validate(models), schema.Validate(models)
		if a.Error() != b.Error() {
			t.Fatalf("not deterministic:\n%v\n%v", a, b)
		}
		for _, p := range a {
			if p.Code == "" || p.Message == "" {
				t.Fatalf("problem without code or message: %#v", p)
			}
		}
		_ = schema.SchemaHash(models)
	})
}
