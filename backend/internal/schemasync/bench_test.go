package schemasync_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/schema"
)

// big skips a heavy benchmark unless FORMA_BENCH_BIG=1.
func big(b *testing.B) {
	if os.Getenv("FORMA_BENCH_BIG") != "1" {
		b.Skip("set FORMA_BENCH_BIG=1 to run")
	}
}

// BenchmarkAddFieldToMillionRows adds one field per iteration to a table of 1,000,000
// rows: nullable, then with a constant default. Neither may rewrite the table.
func BenchmarkAddFieldToMillionRows(b *testing.B) {
	big(b)
	e := newEnv(b)
	e.put(`{"name": "big", "fields": [{"name": "v", "type": "integer"}, {"name": "s", "type": "text"}]}`, schemasync.Options{})
	e.exec(`INSERT INTO t_acme.big (v, s) SELECT g, 'row ' || g FROM generate_series(1, 1000000) g`)
	e.exec(`VACUUM ANALYZE t_acme.big`)
	before := e.count(`SELECT relfilenode::bigint FROM pg_class WHERE oid = 't_acme.big'::regclass`)
	for _, sc := range []struct{ name, def string }{{"nullable", ""}, {"default", `, "default": "x"`}} {
		b.Run(sc.name, func(b *testing.B) {
			i := 0
			for b.Loop() {
				i++
				f := fmt.Sprintf(`{"name": "%s_%d", "type": "text"%s}`, sc.name, i, sc.def)
				var fld schema.Field
				mustJSON(b, f, &fld)
				if _, err := e.engine.UpdateModel(context.Background(), e.tenant, "big", func(m *schema.Model) error {
					m.Fields = append(m.Fields, fld)
					return nil
				}, schemasync.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	if after := e.count(`SELECT relfilenode::bigint FROM pg_class WHERE oid = 't_acme.big'::regclass`); after != before {
		b.Fatalf("the table was rewritten: relfilenode %d -> %d", before, after)
	}
}

// tenModels is a schema of 10 models of 6 fields each, with an index, a unique field,
// choices and a relation to the previous model.
func tenModels() []schema.Model {
	var out []schema.Model
	for i := range 10 {
		m := schema.Model{Name: fmt.Sprintf("model_%d", i), Fields: []schema.Field{
			{Name: "title", Type: "text", Required: true, Index: true},
			{Name: "code", Type: "text", Unique: true},
			{Name: "status", Type: "text", Choices: []any{"new", "done"}, Default: "new"},
			{Name: "amount", Type: "decimal"},
			{Name: "at", Type: "datetime"},
		}}
		if i > 0 {
			m.Fields = append(m.Fields, schema.Field{Name: "parent", Type: "relation", RelatedModel: fmt.Sprintf("model_%d", i-1)})
		}
		out = append(out, m)
	}
	return out
}

// BenchmarkCreateTenantWithTenModels creates one tenant (row and schema) per iteration and
// applies a 10-model schema to it; run with -benchtime=1000x for 1,000 tenants. It reports
// the database and catalog size at the end.
func BenchmarkCreateTenantWithTenModels(b *testing.B) {
	big(b)
	e := newEnv(b)
	ctx := context.Background()
	models := tenModels()
	i := 0
	start := time.Now()
	for b.Loop() {
		i++
		tn := e.newTenant(fmt.Sprintf("bench%d", i))
		if _, err := e.engine.ApplySchema(ctx, tn, models, schemasync.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.Logf("%d tenants in %s", i, time.Since(start).Round(time.Millisecond))
	db := e.count(`SELECT pg_database_size(current_database())`)
	catalog := e.count(`SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c
		JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'pg_catalog' AND c.relkind = 'r'`)
	b.ReportMetric(float64(db)/(1<<20), "db-MB")
	b.ReportMetric(float64(catalog)/(1<<20), "catalog-MB")
	b.ReportMetric(float64(i), "tenants")
}

// BenchmarkApplyAddField is the engine's own cost: add a field to a small table.
func BenchmarkApplyAddField(b *testing.B) {
	e := newEnv(b)
	e.put(`{"name": "small", "fields": [{"name": "v", "type": "integer"}]}`, schemasync.Options{})
	i := 0
	for b.Loop() {
		i++
		if _, err := e.engine.UpdateModel(context.Background(), e.tenant, "small", func(m *schema.Model) error {
			m.Fields = append(m.Fields, schema.Field{Name: fmt.Sprintf("f%d", i), Type: "integer"})
			return nil
		}, schemasync.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
