package auth_test

import (
	"context"
	"testing"
	"time"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/migrations"
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
		if err != nil || p.TenantID != tenantID || p.KeyID != k.ID || p.Role != auth.Write || p.Platform {
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
