package schema_test

import (
	"testing"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

func TestSystemColumnType(t *testing.T) {
	want := map[string]string{"id": "integer", "created_at": "datetime", "updated_at": "datetime", "title": ""}
	for name, typ := range want {
		if got := schema.SystemColumnType(name); got != typ {
			t.Errorf("SystemColumnType(%q) = %q, want %q", name, got, typ)
		}
	}
	for _, name := range schema.SystemColumns {
		if _, ok := fieldtype.Lookup(schema.SystemColumnType(name)); !ok {
			t.Errorf("%s: type %q is not a field type", name, schema.SystemColumnType(name))
		}
	}
}
