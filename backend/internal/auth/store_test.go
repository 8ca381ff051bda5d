package auth_test

import (
	"context"
	"testing"
	"time"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/testdb"
)

func TestStoreAuthenticatesAndForgetsRevokedKeys(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	var tenantID int64
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name) VALUES ('a', 'A', 't_a') RETURNING id`).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	// Two stores on one database: two replicas, each with its own cache.
	here, there := auth.NewStore(db, time.Hour), auth.NewStore(db, 0)
	_, _, _ = here.Create(ctx, tenantID, "first admin", auth.Admin)
	k, plain, err := here.Create(ctx, tenantID, "ci", auth.Write)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*auth.Store{here, there} {
		p, err := s.Authenticate(ctx, plain)
		if err != nil || p.Tenant.ID != tenantID || p.KeyID != k.ID || p.Role != auth.Write || p.Platform {
			t.Fatalf("Authenticate = %+v, %v", p, err)
		}
	}
	var used *time.Time
	if err := db.QueryRowContext(ctx, `SELECT last_used_at FROM forma.keys WHERE id = ?`, k.ID).Scan(&used); err != nil || used == nil {
		t.Fatalf("last_used_at not set: %v", err)
	}
	if err := here.Revoke(ctx, tenantID, k.ID); err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*auth.Store{"revoking replica (cached)": here, "other replica (no cache)": there} {
		if _, err := s.Authenticate(ctx, plain); apperr.As(err) == nil || apperr.As(err).Code != apperr.Unauthorized {
			t.Errorf("%s: revoked key: %v, want unauthorized", name, err)
		}
	}
	if err := here.Revoke(ctx, tenantID+1, k.ID); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
		t.Errorf("revoke through another tenant: %v, want not found", err)
	}
}

func TestStoreReturnsTheKeysTenantAndForgetsItWithTheTenant(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	var tenantID int64
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name) VALUES ('acme', 'Acme Inc.', 't_acme') RETURNING id`).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	// Two replicas with a cache each: here deletes the tenant, there only hears of it later.
	here, there := auth.NewStore(db, time.Hour), auth.NewStore(db, time.Hour)
	_, plain, err := here.Create(ctx, tenantID, "ci", auth.Read)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []*auth.Store{here, there} {
		p, err := s.Authenticate(ctx, plain)
		want := auth.KeyTenant{Ref: tenantref.Ref{ID: tenantID, Schema: "t_acme"}, Slug: "acme", Name: "Acme Inc."}
		got := p.Tenant
		got.CreatedAt = time.Time{}
		if err != nil || got != want || p.Tenant.CreatedAt.IsZero() {
			t.Fatalf("Authenticate = %+v, %v; want tenant %+v", p, err, want)
		}
	}
	if _, err := db.ExecContext(ctx, `DELETE FROM forma.tenants WHERE id = ?`, tenantID); err != nil {
		t.Fatal(err)
	}
	here.ForgetTenant(ctx, tenantID)
	if _, err := here.Authenticate(ctx, plain); apperr.As(err) == nil || apperr.As(err).Code != apperr.Unauthorized {
		t.Errorf("deleting replica: key of a deleted tenant: %v, want unauthorized", err)
	}
	// The other replica trusts its cache for the TTL, as it does for revoked keys.
	if p, err := there.Authenticate(ctx, plain); err != nil || p.Tenant.Slug != "acme" {
		t.Errorf("other replica within the TTL: %+v, %v; want the cached key", p, err)
	}
}
