package access_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// FuzzCompile compiles arbitrary JSON as a role against the test models, or against
// arbitrary models when they are valid: it must never panic, answer the same twice, and
// a role that compiles must come back from Named as a role that compiles to the same
// kept form, which Check passes.
func FuzzCompile(f *testing.F) {
	f.Add([]byte(viewer), []byte(nil))
	f.Add([]byte(viewerNamed), []byte(modelsJSON))
	f.Add([]byte(`{"permissions":{"post":{"list":{"filter":{"title__in":["$$","$auth.a.b",null,1]},"fields":["id","id"]},"x":{}},"nosuch":null}}`), []byte(nil))
	f.Add([]byte(`{"permissions":{"post":{"create":{"fields":"*","presets":{"title":"$$$auth.x","subtitle":null,"data":[]}}}}}`), []byte(nil))
	f.Add([]byte(`{"permissions":{"m":{"get":{"fields":["a"],"filter":{"a__isnull":true,"id__in":["$auth.sub"]}}}}}`),
		[]byte(`[{"name":"m","fields":[{"name":"a","type":"uuid"},{"id":"a","name":"b","type":"text"}]}]`))
	base := models(f)
	f.Fuzz(func(t *testing.T, roleJSON, modelsData []byte) {
		var r access.Role
		if json.Unmarshal(roleJSON, &r) != nil {
			return
		}
		ms := base
		var fuzzed []schema.Model
		if json.Unmarshal(modelsData, &fuzzed) == nil && len(schema.Validate(fuzzed)) == 0 {
			ms = fuzzed
		}
		s, list := access.Compile(r, ms)
		s2, list2 := access.Compile(r, ms)
		if list.Error() != list2.Error() || !reflect.DeepEqual(s, s2) {
			t.Fatalf("not deterministic:\n%v\n%v", list, list2)
		}
		for _, p := range list {
			if p.Code == "" || p.Message == "" {
				t.Fatalf("problem without code or message: %#v", p)
			}
		}
		if len(list) > 0 {
			if s != nil {
				t.Fatal("a kept form with problems")
			}
			return
		}
		if list := s.Check(ms); len(list) > 0 {
			t.Fatalf("check of the models it compiled against: %v", list)
		}
		named := s.Named(ms)
		b, err := json.Marshal(named)
		if err != nil {
			t.Fatalf("marshal named: %v", err)
		}
		var back access.Role
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatalf("unmarshal named: %v\n%s", err, b)
		}
		again, list := access.Compile(back, ms)
		if len(list) > 0 {
			t.Fatalf("named form does not compile: %v\n%s", list, b)
		}
		if !reflect.DeepEqual(canonical(t, s), canonical(t, again)) {
			t.Fatalf("round trip differs:\n%s\n%s", canonical(t, s), canonical(t, again))
		}
	})
}
