package schemasync_test

import (
	"context"
	"strings"
	"testing"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

// TestDriftComparesEveryType walks every registered type through drift: a model with a
// field of each type is in sync once applied, and each column changed by hand to
// another type is a type_mismatch naming its field.
func TestDriftComparesEveryType(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	m := schema.Model{Name: "every"}
	for _, typ := range fieldtype.All() {
		f := schema.Field{Name: "f_" + typ.Name(), Type: typ.Name()}
		if typ.Describe().Relation {
			f.RelatedModel = "every"
		}
		m.Fields = append(m.Fields, f)
	}
	if _, err := e.engine.PutModel(context.Background(), e.tenant, m, schemasync.Options{}); err != nil {
		t.Fatal(err)
	}
	e.noDrift()
	var alter []string
	for _, f := range m.Fields {
		alter = append(alter, "DROP COLUMN "+f.Name+" CASCADE", "ADD COLUMN "+f.Name+" bytea")
	}
	e.exec(`ALTER TABLE t_acme.every ` + strings.Join(alter, ", "))
	rep, err := e.engine.Drift(context.Background(), e.tenant)
	if err != nil {
		t.Fatal(err)
	}
	mismatched := map[string]bool{}
	for _, d := range rep.Differences {
		if d.Kind == "type_mismatch" {
			mismatched[d.Field] = true
		}
	}
	for _, f := range m.Fields {
		if !mismatched[f.Name] {
			t.Errorf("%s: a bytea column is not a type_mismatch: %+v", f.Type, rep.Differences)
		}
	}
}
