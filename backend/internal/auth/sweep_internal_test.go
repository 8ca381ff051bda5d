package auth

import (
	"context"
	"testing"
	"time"

	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/testdb"
)

// A sweep re-reads the keys used since the last one in one query: it extends the live
// ones with what it read, forgets the revoked ones, records their use, and leaves alone
// the keys not used since.
func TestSweepRefreshesTheKeysInUse(t *testing.T) {
	t.Parallel()
	db, ctx := testdb.Open(t), context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	var tenantID int64
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name) VALUES ('a', 'A', 't_a') RETURNING id`).Scan(&tenantID); err != nil {
		t.Fatal(err)
	}
	s := NewStore(db, time.Minute)
	kept, keptPlain, _ := s.Create(ctx, tenantID, "kept", Write)
	gone, gonePlain, _ := s.Create(ctx, tenantID, "revoked elsewhere", Read)
	_, idlePlain, _ := s.Create(ctx, tenantID, "idle", Read)
	for _, p := range []string{keptPlain, gonePlain, idlePlain} {
		if _, err := s.Authenticate(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	s.sweepOnce(ctx, time.Now()) // all three were used: read, all live
	if _, err := s.Authenticate(ctx, keptPlain); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Authenticate(ctx, gonePlain); err != nil {
		t.Fatal(err)
	}
	// What another replica did, its notices lost: a revocation and new limits.
	if _, err := db.ExecContext(ctx, `UPDATE forma.keys SET revoked_at = now() WHERE id = ?`, gone.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE forma.tenants SET limits = '{"models": 7}' WHERE id = ?`, tenantID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `UPDATE forma.keys SET last_used_at = now() - interval '1 hour' WHERE tenant_id = ?`, tenantID); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	s.sweepOnce(ctx, start)

	c := s.cache
	c.mu.Lock()
	k, keptCached := c.keys.Peek(keptLookup(t, keptPlain))
	_, goneCached := c.keys.Peek(keptLookup(t, gonePlain))
	idle, _ := c.keys.Peek(keptLookup(t, idlePlain))
	sweeps := c.sweeps
	c.mu.Unlock()
	switch {
	case sweeps != 2:
		t.Fatalf("%d sweeps, want 2", sweeps)
	case !keptCached || !k.expires.Equal(start.Add(time.Minute)) || k.principal.Tenant.Limits[limits.Models] != 7:
		t.Fatalf("the key in use: cached %v, expires %v (want %v), limits %v", keptCached, k.expires, start.Add(time.Minute), k.principal.Tenant.Limits)
	case goneCached:
		t.Fatal("the revoked key is still cached")
	case idle == nil || !idle.expires.Before(start.Add(time.Minute)) || idle.principal.Tenant.Limits[limits.Models] != 0:
		t.Fatalf("the idle key was extended: %+v", idle)
	}
	var keptUsed, idleUsed time.Time
	if err := db.QueryRowContext(ctx, `SELECT (SELECT last_used_at FROM forma.keys WHERE id = ?), (SELECT last_used_at FROM forma.keys WHERE name = 'idle')`,
		kept.ID).Scan(&keptUsed, &idleUsed); err != nil {
		t.Fatal(err)
	}
	if time.Since(keptUsed) > time.Minute || time.Since(idleUsed) < time.Hour {
		t.Fatalf("last_used_at: the key in use %v, the idle one %v", keptUsed, idleUsed)
	}
	s.sweepOnce(ctx, time.Now()) // nothing used since: no query, no sweep
	if c.sweeps != 2 {
		t.Fatalf("a sweep with nothing in use counted: %d", c.sweeps)
	}
	if _, err := s.Authenticate(ctx, gonePlain); err == nil {
		t.Fatal("the revoked key still authenticates")
	}
}

func keptLookup(t *testing.T, plain string) string {
	t.Helper()
	l, ok := LookupID(plain)
	if !ok {
		t.Fatalf("no lookup id in %q", plain)
	}
	return l
}
