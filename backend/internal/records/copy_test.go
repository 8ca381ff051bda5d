package records_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

type beginner interface {
	Begin(ctx context.Context) (pgx.Tx, error)
}

func validated(t *testing.T, tbl *records.Table, bodies ...string) []map[string]any {
	t.Helper()
	rows := make([]map[string]any, len(bodies))
	for i, b := range bodies {
		v, probs := tbl.Validator().Validate(decode(t, b), record.Create)
		if len(probs) > 0 {
			t.Fatalf("%s: %v", b, probs)
		}
		rows[i] = v
	}
	return rows
}

// copyIn copies rows in a transaction of its own and commits (or rolls back on error).
func copyIn(t *testing.T, tbl *records.Table, q records.Querier, rows []map[string]any) (int64, error) {
	t.Helper()
	ctx := context.Background()
	tx, err := q.(beginner).Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	n, err := tbl.InsertCopy(ctx, tx, rows)
	if err != nil {
		return 0, err
	}
	return n, tx.Commit(ctx)
}

// span is the ids from first, n of them: what a copy into a table that held ids below
// first wrote (a table's identity gives them in order).
func span(first int64, n int) []int64 {
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids
}

// stored is a record as JSON, without what differs from one write to the next: its id
// and, unless keepTimes, its times of writing.
func stored(t *testing.T, r *records.Record, keepTimes bool) map[string]any {
	t.Helper()
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	m := decode(t, string(b))
	delete(m, "id")
	if !keepTimes {
		delete(m, "created_at")
		delete(m, "updated_at")
	}
	return m
}

func idOf(r *records.Record) int64 {
	v, _ := r.Get("id")
	id, _ := v.(int64)
	return id
}

// readIDs reads the records of ids with the table's own read by id.
func readIDs(t *testing.T, tbl *records.Table, q records.Querier, ids []int64) []*records.Record {
	t.Helper()
	out := make([]*records.Record, len(ids))
	for i, id := range ids {
		r, err := tbl.GetDirect(context.Background(), q, id)
		if err != nil || r == nil {
			t.Fatalf("get %d: %v %v", id, r, err)
		}
		out[i] = r
	}
	return out
}

func sameRecords(t *testing.T, what string, want, got []*records.Record) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d records, want %d", what, len(got), len(want))
	}
	for i := range want {
		w, g := mustJSON(stored(t, want[i], false)), mustJSON(stored(t, got[i], false))
		if w != g {
			t.Errorf("%s [%d]:\n got %s\nwant %s", what, i, g, w)
		}
	}
}

// TestCopyStoresWhatInsertStores writes the same rows, of every field type, with nulls
// and with columns some rows lack, by INSERT and by COPY (with and without reading
// them back), and compares what the table holds.
func TestCopyStoresWhatInsertStores(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	bodies := []string{
		`{"timestamp":"2024-05-01T12:30:00.5+02:00","country":"PL","source":"web","value":42,
		"ratio":0.25,"price":"12.5","ok":true,"day":"2024-05-01","at":"08:15","ref":"6F9619FF-8B86-D011-B42D-00CF4FC964FF",
		"meta":{"a":[1,2],"s":"ż"}}`,
		`{"timestamp":"1999-12-31T23:59:59.999999Z","country":"DE","source":null,"value":-9007199254740991,
		"ratio":-1e300,"price":"-999999.99","ok":false,"day":"0001-01-01","at":"23:59:59.999999","ref":"00000000-0000-0000-0000-000000000000",
		"meta":[null,true,"x",1.5]}`,
		`{"country":"US"}`,
		`{"country":"X","value":0,"meta":"just a string","at":"00:00:00"}`,
		`{"country":"PL","timestamp":null,"value":null,"ratio":null,"price":null,"ok":null,"day":null,"at":null,"ref":null,"meta":null}`,
	}
	rows := validated(t, tbl, bodies...)
	want, err := tbl.InsertDirect(context.Background(), q, rows)
	if err != nil {
		t.Fatal(err)
	}
	n, err := copyIn(t, tbl, q, rows)
	if err != nil || n != int64(len(rows)) {
		t.Fatalf("copy: %d, %v", n, err)
	}
	sameRecords(t, "copied", want, readIDs(t, tbl, q, span(idOf(want[len(want)-1])+1, len(rows))))
}

// TestCopyKeepsDefaultsAutoFieldsAndRelations: a row that lacks a field with a default
// gets it; auto_now fields get the transaction's now(), as created_at does; emails and
// relations are stored as an insert stores them.
func TestCopyKeepsDefaultsAutoFieldsAndRelations(t *testing.T) {
	t.Parallel()
	owner, note, q := linked(t)
	ctx := context.Background()
	if _, err := copyIn(t, owner, q, validated(t, owner, `{"email":"A@X.IO"}`, `{"email":"b@x.io"}`, `{}`)); err != nil {
		t.Fatal(err)
	}
	owners := readIDs(t, owner, q, span(1, 3))
	if m := stored(t, owners[0], false); m["email"] != "A@x.io" {
		t.Errorf("email stored as %v", m["email"])
	}
	{
		rows := validated(t, note, `{"title":"a","owner":1}`, `{"title":"b"}`, `{"title":"c","owner":2}`)
		if _, err := copyIn(t, note, q, rows); err != nil {
			t.Fatal(err)
		}
		recs := readIDs(t, note, q, span(1, 3))
		for i, r := range recs {
			m := stored(t, r, true)
			if m["seen"] != m["created_at"] || m["first"] != m["created_at"] || m["updated_at"] != m["created_at"] || m["created_at"] == nil {
				t.Errorf("[%d]: auto fields %v %v, created %v", i, m["seen"], m["first"], m["created_at"])
			}
		}
		if o, _ := recs[0].Get("owner"); o != int64(1) {
			t.Errorf("owner %v", o)
		}
		if o, _ := recs[1].Get("owner"); o != nil {
			t.Errorf("owner %v", o)
		}
	}

	db := testdb.OpenPool(t)
	if _, err := db.PGX.Exec(ctx, `CREATE SCHEMA t_acme; CREATE TABLE t_acme.d (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  created_at timestamptz NOT NULL DEFAULT now(), updated_at timestamptz NOT NULL DEFAULT now(), n bigint DEFAULT 7, s text)`); err != nil {
		t.Fatal(err)
	}
	d, err := records.Compile("t_acme", schema.Model{Name: "d", Fields: []schema.Field{{Name: "n", Type: "integer", Default: 7.0}, {Name: "s", Type: "text"}}})
	if err != nil {
		t.Fatal(err)
	}
	rows := validated(t, d, `{"n":1,"s":"a"}`, `{"s":"b"}`, `{"n":null}`)
	want, err := d.InsertDirect(ctx, db.PGX, rows)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := copyIn(t, d, db.PGX, rows); err != nil {
		t.Fatal(err)
	}
	got := readIDs(t, d, db.PGX, span(idOf(want[len(want)-1])+1, len(rows)))
	sameRecords(t, "defaults", want, got)
	if n, _ := got[1].Get("n"); n != int64(7) {
		t.Errorf("default: n = %v", n)
	}
}

// TestCopyIsAllOrNothing: a unique value taken, or a related record missing, in the
// middle of a batch is refused as an insert is (the same problem), and nothing of the
// batch is written.
func TestCopyIsAllOrNothing(t *testing.T) {
	t.Parallel()
	owner, note, q := linked(t)
	insert(t, owner, q, `{"email":"a@x.io"}`)
	count := func(tbl string) (n int) {
		rows, err := q.Query(context.Background(), "SELECT count(*) FROM t_acme."+tbl)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		rows.Next()
		_ = rows.Scan(&n)
		return n
	}
	{
		_, err := copyIn(t, owner, q, validated(t, owner, `{"email":"b@x.io"}`, `{"email":"c@x.io"}`, `{"email":"a@X.IO"}`, `{"email":"d@x.io"}`))
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || len(e.Problems) != 1 || e.Problems[0].Path != "email" || e.Problems[0].Code != "duplicate" {
			t.Errorf("duplicate: %v", err)
		}
		_, err = copyIn(t, note, q, validated(t, note, `{"title":"t","owner":1}`, `{"title":"t","owner":999}`))
		if e := apperr.As(err); e == nil || e.Code != apperr.Conflict || len(e.Problems) != 1 || e.Problems[0].Path != "owner" || e.Problems[0].Code != "not_found" {
			t.Errorf("missing relation: %v", err)
		}
	}
	if o, n := count("owner"), count("note"); o != 1 || n != 0 {
		t.Fatalf("rows written from refused batches: %d owners, %d notes", o, n)
	}
}

// TestCopyIntoAColumnOfAnotherTypeIsStale: a column that changed type since the model
// was compiled, whose values pgx cannot send as the new type, makes the model stale (the
// service reloads it and tries again), not an internal error.
func TestCopyIntoAColumnOfAnotherTypeIsStale(t *testing.T) {
	t.Parallel()
	tbl, q := setup(t)
	if _, err := q.(interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}).Exec(context.Background(), `ALTER TABLE t_acme.event ALTER COLUMN value TYPE boolean USING value <> 0`); err != nil {
		t.Fatal(err)
	}
	_, err := copyIn(t, tbl, q, validated(t, tbl, `{"country":"PL","value":1}`, `{"country":"DE","value":2}`))
	if !records.Stale(err) {
		t.Fatalf("got %v", err)
	}
}
