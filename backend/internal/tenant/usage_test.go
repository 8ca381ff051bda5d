package tenant_test

import (
	"context"
	"testing"
	"time"

	"forma.dev/backend/internal/tenantref"
)

// CountRows reads no more rows than its bound, and quotes the schema and the table.
func TestCountRowsStopsAtItsBound(t *testing.T) {
	t.Parallel()
	svc, db, _ := newService(t)
	ctx := context.Background()
	ref := tenantref.Ref{ID: 1, Schema: "t1 Acme"}
	for _, q := range []string{`CREATE SCHEMA "t1 Acme"`, `CREATE TABLE "t1 Acme"."Select" (id int)`,
		`INSERT INTO "t1 Acme"."Select" SELECT generate_series(1, 5)`} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	for bound, want := range map[int64]int64{1: 1, 4: 4, 5: 5, 6: 5, 1000: 5} {
		if n, err := svc.CountRows(ctx, ref, "Select", bound); err != nil || n != want {
			t.Errorf("CountRows bound %d: %d %v, want %d", bound, n, err, want)
		}
	}
	if _, err := svc.CountRows(ctx, ref, `Select" --`, 10); err == nil {
		t.Error("a table name was read as SQL")
	}
}

// UsageWithin measures again once what it has is older than asked.
func TestUsageWithinMeasuresAgainPastItsAge(t *testing.T) {
	t.Parallel()
	svc, db, _ := newService(t)
	ctx := context.Background()
	ref := tenantref.Ref{ID: 1, Schema: "t1_acme"}
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA t1_acme`); err != nil {
		t.Fatal(err)
	}
	first, err := svc.UsageWithin(ctx, ref, time.Minute)
	if err != nil || len(first.Rows) != 0 {
		t.Fatalf("an empty schema: %+v %v", first, err)
	}
	if _, err := db.ExecContext(ctx, `CREATE TABLE t1_acme.event (id int)`); err != nil {
		t.Fatal(err)
	}
	if u, _ := svc.UsageWithin(ctx, ref, time.Minute); !u.MeasuredAt.Equal(first.MeasuredAt) || len(u.Rows) != 0 {
		t.Fatalf("measured again within its age: %+v", u)
	}
	if u, _ := svc.UsageWithin(ctx, ref, 0); u.MeasuredAt.Equal(first.MeasuredAt) || len(u.Rows) != 1 {
		t.Fatalf("not measured again past its age: %+v", u)
	}
}

// A measure is shared by the requests that wait for it: it does not end with the
// request that started it (a client gone must not fail the others with its cancel).
func TestUsageMeasureOutlivesItsCaller(t *testing.T) {
	t.Parallel()
	svc, db, _ := newService(t)
	ref := tenantref.Ref{ID: 1, Schema: "t1_acme"}
	if _, err := db.ExecContext(context.Background(), `CREATE SCHEMA t1_acme; CREATE TABLE t1_acme.event (id int)`); err != nil {
		t.Fatal(err)
	}
	gone, cancel := context.WithCancel(context.Background())
	cancel()
	if u, err := svc.UsageWithin(gone, ref, 0); err != nil || len(u.Rows) != 1 {
		t.Fatalf("measured for a caller already gone: %+v, %v", u, err)
	}
}
