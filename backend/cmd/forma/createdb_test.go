package main

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"testing"

	"forma.dev/backend/internal/testdb"
)

func TestCreateDBCreatesAMissingDatabaseOnce(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(testdb.New(t)) // a name of our own, dropped after the test
	if err != nil {
		t.Fatal(err)
	}
	admin := testdb.Open(t)
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "DROP DATABASE "+u.Path[1:]); err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for range 2 {
		if err := createDB(ctx, u.String(), log); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := admin.QueryRowContext(ctx, "SELECT count(*) FROM pg_database WHERE datname = ?", u.Path[1:]).Scan(&n); err != nil || n != 1 {
		t.Fatalf("database %s: %d (%v)", u.Path[1:], n, err)
	}
	if err := createDB(ctx, "postgres://127.0.0.1:5432", log); err == nil {
		t.Fatal("createDB accepted a URL without a database name")
	}
}
