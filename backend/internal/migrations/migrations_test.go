package migrations_test

import (
	"context"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/testdb"
)

func TestUpCreatesTheControlSchemaOnce(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	for range 2 {
		if err := migrations.Up(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	applied, err := migrations.Applied(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if len(applied) == 0 || applied[0] != "0001_control" || !slices.IsSorted(applied) {
		t.Fatalf("applied = %v, want 0001_control first, in order", applied)
	}
	for _, table := range []string{"forma.tenants", "forma.keys", "forma.schema_migrations"} {
		var name *string
		if err := db.QueryRowContext(ctx, "SELECT to_regclass(?)::text", table).Scan(&name); err != nil {
			t.Fatal(err)
		}
		if name == nil {
			t.Errorf("table %s does not exist", table)
		}
	}
}

func TestUpIsSafeWhenReplicasStartTogether(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 5)
	for i := range errs {
		wg.Go(func() { errs[i] = migrations.Up(ctx, db) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("replica %d: %v", i, err)
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT count(*) FROM forma.schema_migrations WHERE name = '0001_control'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 1 {
		t.Fatalf("0001_control recorded %d times, want 1", n)
	}
}

func TestApplyRunsFilesInOrderAndRollsBackAFailingOne(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	files := fstest.MapFS{
		"0002_b.sql":   {Data: []byte("INSERT INTO forma.t VALUES ('b'); SELECT '?';")},
		"0001_a.sql":   {Data: []byte("CREATE TABLE forma.t (x text); INSERT INTO forma.t VALUES ('a');")},
		"0003_bad.sql": {Data: []byte("INSERT INTO forma.t VALUES ('c'); SELECT no_such_column FROM forma.t;")},
		"README.md":    {Data: []byte("not a migration")},
	}
	if err := migrations.Apply(ctx, db, files); err == nil {
		t.Fatal("Apply succeeded although 0003_bad fails")
	}
	applied, err := migrations.Applied(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, []string{"0001_a", "0002_b"}) {
		t.Fatalf("applied = %v, want [0001_a 0002_b]", applied)
	}
	var rows []string
	if err := db.NewSelect().ColumnExpr("x").TableExpr("forma.t").OrderExpr("x").Scan(ctx, &rows); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows, []string{"a", "b"}) {
		t.Fatalf("rows = %v, want [a b]: the failing file must leave nothing behind", rows)
	}
}
