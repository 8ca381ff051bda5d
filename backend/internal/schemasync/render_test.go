package schemasync_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// hostile is a value that would break out of a literal escaped by hand.
const hostile = `it's; DROP TABLE x --?`

func TestRenderGolden(t *testing.T) {
	created := &schema.Model{Name: "event", Fields: []schema.Field{
		{ID: "f1", Name: "timestamp", Type: "datetime", Required: true, Options: fieldtype.Options{"auto_now_add": true}},
	}}
	auto := &created.Fields[0]
	scenarios := []struct {
		name string
		op   plan.Op
	}{
		{"create_table", plan.Op{Kind: plan.CreateTable, Model: "event", Table: created, Columns: []plan.Column{
			{Name: "timestamp", FieldID: "f1", Type: "timestamptz", NotNull: true},
			{Name: "country", FieldID: "f2", Type: "varchar(3)", NotNull: true, Default: "PL"},
			{Name: "payload", FieldID: "f3", Type: "jsonb", Default: map[string]any{"a": hostile}},
			{Name: "value", FieldID: "f4", Type: "bigint", Default: int64(-7)},
		}}},
		{"drop_table", plan.Op{Kind: plan.DropTable, Model: "event"}},
		{"add_column", plan.Op{Kind: plan.AddColumn, Model: "event", Field: "value", Column: "bigint"}},
		{"add_column_required_default", plan.Op{Kind: plan.AddColumn, Model: "event", Field: "country", Column: "varchar(3)", NotNull: true, Default: "PL"}},
		{"add_column_auto_now", plan.Op{Kind: plan.AddColumn, Model: "event", Field: "timestamp", Column: "timestamptz", NotNull: true, Def: auto}},
		{"drop_column", plan.Op{Kind: plan.DropColumn, Model: "event", Field: "source"}},
		{"rename_column", plan.Op{Kind: plan.RenameColumn, Model: "event", Field: "source", To: "origin"}},
		{"alter_type", plan.Op{Kind: plan.AlterType, Model: "event", Field: "source", Column: "varchar(5)", Cast: "{col}::{type}"}},
		{"alter_type_json", plan.Op{Kind: plan.AlterType, Model: "event", Field: "data", Column: "bigint", Cast: "({col} #>> '{}')::{type}"}},
		{"set_not_null", plan.Op{Kind: plan.SetNotNull, Model: "event", Field: "source"}},
		{"set_not_null_fill", plan.Op{Kind: plan.SetNotNull, Model: "event", Field: "source", Column: "varchar(10)", Default: hostile}},
		{"drop_not_null", plan.Op{Kind: plan.DropNotNull, Model: "event", Field: "source"}},
		{"set_default", plan.Op{Kind: plan.SetDefault, Model: "event", Field: "note", Column: "text", Default: hostile}},
		{"drop_default", plan.Op{Kind: plan.DropDefault, Model: "event", Field: "country"}},
		{"add_unique", plan.Op{Kind: plan.AddUnique, Model: "event", Field: "source", Name: "event_source_key_1a2b3c4d"}},
		{"drop_unique", plan.Op{Kind: plan.DropUnique, Model: "event", Field: "source", Name: "event_source_key_1a2b3c4d"}},
		{"add_index", plan.Op{Kind: plan.AddIndex, Model: "event", Field: "country", Name: "event_country_idx_1a2b3c4d"}},
		{"drop_index", plan.Op{Kind: plan.DropIndex, Model: "event", Field: "country", Name: "event_country_idx_1a2b3c4d"}},
		{"add_foreign_key", plan.Op{Kind: plan.AddForeignKey, Model: "event", Field: "owner", Name: "event_owner_fkey_1a2b3c4d", RefModel: "user", OnDelete: "set_null"}},
		{"drop_foreign_key", plan.Op{Kind: plan.DropForeignKey, Model: "event", Field: "owner", Name: "event_owner_fkey_1a2b3c4d"}},
		{"add_check", plan.Op{Kind: plan.AddCheck, Model: "event", Field: "note", Column: "text", Name: "event_note_check_1a2b3c4d", Choices: []any{"PL", hostile}}},
		{"drop_check", plan.Op{Kind: plan.DropCheck, Model: "event", Field: "note", Name: "event_note_check_1a2b3c4d"}},
		{"add_unique_together", plan.Op{Kind: plan.AddUniqueTogether, Model: "event", Fields: []string{"country", "source"}, Name: "event_country_source_uniq_1a2b3c4d"}},
		{"drop_unique_together", plan.Op{Kind: plan.DropUniqueTogether, Model: "event", Fields: []string{"country", "source"}, Name: "event_country_source_uniq_1a2b3c4d"}},
		{"add_model_index", plan.Op{Kind: plan.AddModelIndex, Model: "event", Fields: []string{"country", "-timestamp", "id"}, Name: "event_country_timestamp_id_ix_1a2b3c4d"}},
		{"add_model_index_hostile", plan.Op{Kind: plan.AddModelIndex, Model: "event", Fields: []string{`-a"b`, `c" DESC; DROP TABLE x; --`}, Name: `event_x"_ix_1a2b3c4d`}},
		{"drop_model_index", plan.Op{Kind: plan.DropModelIndex, Model: "event", Fields: []string{"country", "-timestamp", "id"}, Name: "event_country_timestamp_id_ix_1a2b3c4d"}},
		{"rename_model_index", plan.Op{Kind: plan.RenameIndex, Model: "event", Fields: []string{"land", "-timestamp", "id"}, Name: "event_country_timestamp_id_ix_1a2b3c4d", To: "event_land_timestamp_id_ix_5e6f7a8b"}},
		{"rename_constraint", plan.Op{Kind: plan.RenameConstraint, Model: "event", Name: "event_owner_fkey_1a2b3c4d", To: "event_user_fkey_5e6f7a8b"}},
		{"rename_index", plan.Op{Kind: plan.RenameIndex, Model: "event", Name: "event_country_idx_1a2b3c4d", To: "event_land_idx_5e6f7a8b"}},
	}
	r := schemasync.NewRenderer("t_acme")
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			stmts, err := r.Render(sc.op)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(stmts, ";\n") + ";\n"
			path := filepath.Join("testdata", sc.name+".sql")
			if *update {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if got != string(want) {
				t.Errorf("SQL differs from %s:\ngot:  %s\nwant: %s", path, got, want)
			}
		})
	}
}

func TestRenderRefuses(t *testing.T) {
	r := schemasync.NewRenderer("t_acme")
	for _, op := range []plan.Op{
		{Kind: "truncate_everything", Model: "event"},
		{Kind: plan.AddUnique, Model: "event", Field: "x"},                 // no name
		{Kind: plan.AddModelIndex, Model: "event", Fields: []string{"x"}},  // no name
		{Kind: plan.AddModelIndex, Model: "event", Name: "n"},              // no columns
		{Kind: plan.DropModelIndex, Model: "event", Fields: []string{"x"}}, // no name
		{Kind: plan.AddCheck, Model: "event", Field: "x", Name: "n"},
		{Kind: plan.AddForeignKey, Model: "event", Field: "x", Name: "n", RefModel: "user", OnDelete: "explode"},
	} {
		if _, err := r.Render(op); err == nil {
			t.Errorf("%+v rendered without an error", op)
		}
	}
}

func TestRenderHostileNames(t *testing.T) {
	r := schemasync.NewRenderer(`t_"x`)
	stmts, err := r.Render(plan.Op{Kind: plan.RenameColumn, Model: "ev.*ent", Field: `a"; DROP TABLE t_acme.event; --`, To: "b*"})
	if err != nil {
		t.Fatal(err)
	}
	want := `ALTER TABLE "t_""x"."ev.*ent" RENAME COLUMN "a""; DROP TABLE t_acme.event; --" TO "b*"`
	if stmts[0] != want {
		t.Fatalf("got  %s\nwant %s", stmts[0], want)
	}
}
