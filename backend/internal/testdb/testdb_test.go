package testdb_test

import (
	"context"
	"testing"

	"forma.dev/backend/internal/testdb"
)

func TestOpenGivesAnEmptyDatabaseOfItsOwn(t *testing.T) {
	t.Parallel()
	a, b := testdb.Open(t), testdb.Open(t)
	ctx := context.Background()
	if _, err := a.ExecContext(ctx, "CREATE TABLE only_in_a (x int)"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Fatalf("database b sees a table created in database a")
	}
}
