package db_test

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/testdb"
)

// oneConn opens a pool of one connection on a database of the test's own, so that
// what the connection keeps prepared can be read.
func oneConn(t *testing.T) *db.Pool {
	t.Helper()
	p, err := db.Open(context.Background(), testdb.New(t)+"&pool_max_conns=1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

func prepared(t *testing.T, p *db.Pool) int {
	t.Helper()
	var n int
	if err := p.PGX.QueryRow(context.Background(), "SELECT count(*) FROM pg_prepared_statements WHERE statement NOT LIKE '%pg_prepared_statements%'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func queryOne[T any](t *testing.T, s *db.Statements, sql string, args ...any) (T, error) {
	t.Helper()
	rows, err := s.Query(context.Background(), 1, sql, args...)
	if err != nil {
		var zero T
		return zero, err
	}
	return pgx.CollectExactlyOneRow(rows, pgx.RowTo[T])
}

// A text in little use runs unnamed, with its description read once: right answers of
// every kind, nothing left prepared; one in frequent use runs prepared.
func TestStatementsRunTextsUnnamedUntilInFrequentUse(t *testing.T) {
	t.Parallel()
	p := oneConn(t)
	ctx := context.Background()
	if _, err := p.PGX.Exec(ctx, `CREATE TABLE t (id bigint PRIMARY KEY, name text, at timestamptz, ok boolean, f float8, doc jsonb);
		INSERT INTO t VALUES (1, 'one', '2026-01-02T03:04:05Z', true, 1.5, '{"a": [1]}'), (2, 'two', NULL, false, -2, NULL)`); err != nil {
		t.Fatal(err)
	}
	clock := time.Unix(1_000_000, 0)
	s := db.NewStatements(p.PGX, 100)
	db.SetStatementsClock(s, func() time.Time { return clock })
	type row struct {
		ID   int64
		Name string
		At   *time.Time
		OK   bool
		F    float64
		Doc  map[string]any
	}
	const byIDs = `SELECT id, name, at, ok, f, doc FROM t WHERE id = ANY($1) ORDER BY id`
	for range 3 {
		rows, err := s.Query(ctx, 1, byIDs, []int64{2, 1})
		if err != nil {
			t.Fatal(err)
		}
		got, err := pgx.CollectRows(rows, pgx.RowToStructByPos[row])
		if err != nil || len(got) != 2 || got[0].Name != "one" || got[0].At == nil || !got[0].At.Equal(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)) ||
			!got[0].OK || got[0].F != 1.5 || got[0].Doc["a"] == nil || got[1].At != nil || got[1].F != -2 {
			t.Fatalf("rows %+v, %v", got, err)
		}
	}
	if name, err := queryOne[string](t, s, `SELECT name FROM t WHERE name = $1 AND at > $2`, "one", time.Unix(0, 0)); err != nil || name != "one" {
		t.Fatalf("text and time parameters: %q, %v", name, err)
	}
	if n := prepared(t, p); n != 0 {
		t.Fatalf("%d statements prepared for texts in little use", n)
	}
	for range db.HotUses {
		if _, err := queryOne[string](t, s, `SELECT name FROM t WHERE id = $1`, int64(1)); err != nil {
			t.Fatal(err)
		}
	}
	clock = clock.Add(time.Second)
	if name, err := queryOne[string](t, s, `SELECT name FROM t WHERE id = $1`, int64(2)); err != nil || name != "two" {
		t.Fatalf("hot: %q, %v", name, err)
	}
	if n := prepared(t, p); n != 1 {
		t.Fatalf("%d statements prepared after %d uses in a second, want 1", n, db.HotUses)
	}
	clock = clock.Add(2 * time.Second) // a second without use: cold again
	if _, err := queryOne[string](t, s, `SELECT name FROM t WHERE id = $1`, int64(2)); err != nil {
		t.Fatal(err)
	}
	if s.Len() != 3 {
		t.Fatalf("%d texts known, want 3", s.Len())
	}
}

// A table changed under a description: the query that meets it fails, the description
// is forgotten, and the next one is described again and served.
func TestStatementsDescribeAgainAfterATableChanged(t *testing.T) {
	t.Parallel()
	p := oneConn(t)
	ctx := context.Background()
	if _, err := p.PGX.Exec(ctx, `CREATE TABLE t (id bigint PRIMARY KEY, code integer); INSERT INTO t VALUES (1, 7)`); err != nil {
		t.Fatal(err)
	}
	s := db.NewStatements(p.PGX, 100)
	const byCode = `SELECT id FROM t WHERE code = $1`
	if id, err := queryOne[int64](t, s, byCode, 7); err != nil || id != 1 {
		t.Fatalf("%d, %v", id, err)
	}
	if _, err := p.PGX.Exec(ctx, `ALTER TABLE t ALTER COLUMN code TYPE text; UPDATE t SET code = 'x7'`); err != nil {
		t.Fatal(err)
	}
	if _, err := queryOne[int64](t, s, byCode, "x7"); err == nil {
		t.Fatal("a text encoded as the integer described: no error")
	}
	if id, err := queryOne[int64](t, s, byCode, "x7"); err != nil || id != 1 {
		t.Fatalf("after describing again: %d, %v", id, err)
	}
	if _, err := p.PGX.Exec(ctx, `ALTER TABLE t ALTER COLUMN code TYPE integer USING 8`); err != nil {
		t.Fatal(err)
	}
	if _, err := queryOne[int64](t, s, byCode, "8"); err == nil {
		t.Fatal("a text parameter against an integer column: no error")
	}
	if id, err := queryOne[int64](t, s, byCode, 8); err != nil || id != 1 {
		t.Fatalf("after describing again: %d, %v", id, err)
	}
}

// The texts known are bounded; the connection goes back to the pool after each query,
// answered or refused.
func TestStatementsAreBoundedAndGiveConnectionsBack(t *testing.T) {
	t.Parallel()
	p := oneConn(t)
	s := db.NewStatements(p.PGX, 2)
	for i, sql := range []string{"SELECT 1", "SELECT 2", "SELECT 3", "SELECT nope", "SELECT 1/0"} {
		rows, err := s.Query(context.Background(), 1, sql)
		if err == nil {
			rows.Close()
			err = rows.Err()
		}
		if (i < 3) != (err == nil) {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	if s.Len() != 2 {
		t.Fatalf("%d texts known, want at most 2", s.Len())
	}
	if st := p.PGX.Stat(); st.AcquiredConns() != 0 {
		t.Fatalf("%d connections still held", st.AcquiredConns())
	}
}
