package db_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"

	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/testdb"
)

// TestUnreachable: errors of a database that is not there (nothing listening, a
// connection its server ended) are unreachable; a refused statement, a context's end
// and other errors are not.
func TestUnreachable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := l.Addr().String()
	l.Close() // nothing listens there now
	_, refused := db.Open(ctx, "postgres://postgres@"+closed+"/x?sslmode=disable&connect_timeout=2")

	p := testdb.OpenPool(t)
	conn, err := p.PGX.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	var pid int
	if err := conn.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := p.PGX.Exec(ctx, "SELECT pg_terminate_backend($1)", pid); err != nil {
		t.Fatal(err)
	}
	_, terminated := conn.Exec(ctx, "SELECT 1") // the server ended this connection (57P01)
	_, syntax := p.PGX.Exec(ctx, "SELEC 1")
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, gone := p.PGX.Exec(cancelled, "SELECT 1")

	for _, c := range []struct {
		name string
		err  error
		want bool
	}{
		{"connection refused", refused, true},
		{"connection terminated", terminated, true},
		{"wrapped", fmt.Errorf("load: %w", terminated), true},
		{"syntax error", syntax, false},
		{"context cancelled", gone, false},
		{"other", errors.New("boom"), false},
		{"nil", nil, false},
	} {
		if c.want && c.err == nil {
			t.Errorf("%s: no error to classify", c.name)
			continue
		}
		if got := db.Unreachable(c.err); got != c.want {
			t.Errorf("%s: Unreachable(%v) = %v, want %v", c.name, c.err, got, c.want)
		}
	}
}
