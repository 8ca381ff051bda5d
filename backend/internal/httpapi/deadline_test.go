package httpapi_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"forma.dev/backend/internal/apitest"
)

// A data request past its tenant's statement_timeout_ms is a 504 timeout, Postgres stops
// the statement, and a write it was making is not kept. Another tenant, and the tenant
// once the table is free again, are served.
func TestStatementTimeoutStopsADataRequest(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"statement_timeout_ms":300}}`)
	ctx := context.Background()
	// Another session holds the table: every statement on it waits.
	tx, err := s.App.DB.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `LOCK TABLE t1_acme.event IN ACCESS EXCLUSIVE MODE`); err != nil {
		t.Fatal(err)
	}
	for _, r := range []struct{ method, path, body string }{
		{"GET", "/api/v1/t/acme/data/event", ""},
		{"GET", "/api/v1/t/acme/data/event/1", ""},
		{"POST", "/api/v1/t/acme/data/event", `{"country":"PL","source":"web","value":1}`},
		{"POST", "/api/v1/t/acme/data/event", `[{"country":"PL","source":"web","value":2}]`},
	} {
		start := time.Now()
		rec := s.Do(r.method, r.path, acme.Write, r.body)
		if took := time.Since(start); rec.Code != 504 || !strings.Contains(rec.Body.String(), `"code":"timeout"`) || took > 5*time.Second {
			t.Fatalf("%s %s with the table held: %d after %v: %s", r.method, r.path, rec.Code, took, rec.Body)
		}
	}
	// Postgres is not still running them: only the lock's own session is in the table.
	var waiting int
	deadline := time.Now().Add(5 * time.Second)
	for {
		if err := s.App.DB.QueryRowContext(ctx, `SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'`).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
		if waiting == 0 || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if waiting != 0 {
		t.Fatalf("%d statements still wait on the table after their requests were answered", waiting)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s.App.DB.QueryRowContext(ctx, `SELECT count(*) FROM t1_acme.event`).Scan(&n); err != nil || n != 0 {
		t.Fatalf("%d rows written by requests that timed out (%v)", n, err)
	}
	s.MustJSON(t, 200, nil, "PATCH", "/api/v1/tenants/acme", s.AdminKey, `{"limits":{"statement_timeout_ms":null}}`)
	if rec := s.Do("POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL","source":"web","value":3}`); rec.Code != 201 {
		t.Fatalf("once the table is free: %d %s", rec.Code, rec.Body)
	}
}

// The data API's statements go through the shared descriptions (db.Statements), and
// every per-tenant cache shows its size in /metrics.
func TestDataStatementsAndTenantCachesAreCounted(t *testing.T) {
	t.Parallel()
	s := apitest.Start(t)
	acme := s.Tenant(t, "acme")
	s.MustJSON(t, 200, nil, "PUT", "/api/v1/t/acme/models/event", acme.Admin, loadEventModel)
	before := metric(t, s, "forma_statement_descriptions")
	s.MustJSON(t, 201, nil, "POST", "/api/v1/t/acme/data/event", acme.Write, `{"country":"PL","source":"web","value":1}`)
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme/data/event/1", acme.Read, "")
	s.MustJSON(t, 200, nil, "GET", "/api/v1/t/acme/data/event?country=PL", acme.Read, "")
	if after := metric(t, s, "forma_statement_descriptions"); before != "0" || after != "3" {
		t.Fatalf("statement texts known: %s before, %s after a create, a get and a list; want 0 and 3", before, after)
	}
	for _, g := range []string{"forma_model_cache_entries", "forma_key_cache_entries", "forma_tenant_inflight_entries"} {
		if v := metric(t, s, g); v == "0" {
			t.Errorf("%s is 0 after a tenant's requests", g)
		}
	}
}
