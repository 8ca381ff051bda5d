package schemasync_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/schema"
)

// env is one test's database, engine and tenant.
type env struct {
	t      testing.TB
	db     *bun.DB
	engine *schemasync.Engine
	tenant tenantref.Ref
}

// newEnv opens a fresh database with the control schema and one tenant, "acme".
func newEnv(t testing.TB, opts ...schemasync.Option) *env {
	t.Helper()
	db := testdb.Open(t)
	ctx := context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, db: db, engine: schemasync.New(db, opts...)}
	e.tenant = e.newTenant("acme")
	return e
}

// newTenant adds a tenant row and its schema, as the tenant service does.
func (e *env) newTenant(slug string) tenantref.Ref {
	e.t.Helper()
	ctx := context.Background()
	tn := tenantref.Ref{Schema: "t_" + slug}
	if err := e.db.NewRaw("INSERT INTO forma.tenants (slug, name, schema_name) VALUES (?, ?, ?) RETURNING id",
		slug, slug, tn.Schema).Scan(ctx, &tn.ID); err != nil {
		e.t.Fatal(err)
	}
	if _, err := e.db.ExecContext(ctx, "CREATE SCHEMA ?", bun.Name(tn.Schema)); err != nil {
		e.t.Fatal(err)
	}
	return tn
}

// model decodes a definition written as JSON.
func model(t testing.TB, js string) schema.Model {
	t.Helper()
	var m schema.Model
	if err := json.Unmarshal([]byte(js), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// put applies one model (replacing its definition) and fails the test on an error.
func (e *env) put(js string, o schemasync.Options) *schemasync.Result {
	e.t.Helper()
	res, err := e.engine.PutModel(context.Background(), e.tenant, model(e.t, js), o)
	if err != nil {
		if ae := apperr.As(err); ae != nil {
			e.t.Fatalf("put: %v %v %v", err, ae.Problems, ae.Extra)
		}
		e.t.Fatalf("put: %v", err)
	}
	return res
}

// exec runs SQL on the test database.
func (e *env) exec(query string, args ...any) {
	e.t.Helper()
	if _, err := e.db.ExecContext(context.Background(), query, args...); err != nil {
		e.t.Fatal(err)
	}
}

// count returns the result of a count query.
func (e *env) count(query string, args ...any) int64 {
	e.t.Helper()
	var n int64
	if err := e.db.NewRaw(query, args...).Scan(context.Background(), &n); err != nil {
		e.t.Fatal(err)
	}
	return n
}

// state loads the stored definitions.
func (e *env) state() meta.State {
	e.t.Helper()
	st, err := meta.Load(context.Background(), e.db, e.tenant.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	return st
}

// noDrift fails the test when the live schema differs from the definitions.
func (e *env) noDrift() {
	e.t.Helper()
	rep, err := e.engine.Drift(context.Background(), e.tenant)
	if err != nil {
		e.t.Fatal(err)
	}
	if !rep.InSync {
		e.t.Fatalf("drift: %+v", rep.Differences)
	}
}

// wantCode fails the test unless err is an *apperr.Error with code.
func wantCode(t testing.TB, err error, code apperr.Code) *apperr.Error {
	t.Helper()
	ae := apperr.As(err)
	if ae == nil || ae.Code != code {
		t.Fatalf("want %s error, got %v", code, err)
	}
	return ae
}

// mustJSON decodes js into v.
func mustJSON(t testing.TB, js string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(js), v); err != nil {
		t.Fatal(err)
	}
}
