package db_test

import (
	"context"
	"testing"

	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/testdb"
)

// TestOnePoolServesBunAndPgx: bun and the data path share the pool, of MaxConns
// connections unless DATABASE_URL names pool_max_conns.
func TestOnePoolServesBunAndPgx(t *testing.T) {
	t.Parallel()
	url := testdb.New(t)
	ctx := context.Background()
	for _, s := range []struct {
		url  string
		want int32
	}{{url, db.MaxConns}, {url + "&pool_max_conns=5", 5}} {
		p, err := db.Open(ctx, s.url)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.PGX.Config().MaxConns; got != s.want {
			t.Errorf("%s: MaxConns %d, want %d", s.url, got, s.want)
		}
		var viaBun, viaPgx int
		if err := p.Bun.QueryRowContext(ctx, "SELECT pg_backend_pid()").Scan(&viaBun); err != nil {
			t.Fatal(err)
		}
		if err := p.PGX.QueryRow(ctx, "SELECT pg_backend_pid()").Scan(&viaPgx); err != nil {
			t.Fatal(err)
		}
		// one connection, handed to bun and then to pgx: the pool has opened only it
		if st := p.PGX.Stat(); st.TotalConns() != 1 || viaBun != viaPgx {
			t.Errorf("bun on backend %d, pgx on %d, %d connections open: not one pool", viaBun, viaPgx, st.TotalConns())
		}
		if err := p.Close(); err != nil {
			t.Fatal(err)
		}
	}
}
