package registry_test

import (
	"context"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/schema"
)

// metaDB returns a migrated database with one tenant, and the tenant.
func metaDB(tb testing.TB) (*bun.DB, tenantref.Ref) {
	tb.Helper()
	ctx := context.Background()
	db := testdb.Open(tb)
	if err := migrations.Up(ctx, db); err != nil {
		tb.Fatal(err)
	}
	t := tenantref.Ref{Schema: "t_acme"}
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name)
		VALUES ('acme', 'Acme', 't_acme') RETURNING id`).Scan(&t.ID); err != nil {
		tb.Fatal(err)
	}
	return db, t
}

// commit stores models as the tenant's version v, as the engine's transaction does.
func commit(tb testing.TB, db *bun.DB, tenantID, v int64, before []schema.Model, models ...schema.Model) {
	tb.Helper()
	hashes := map[string]string{}
	for _, m := range models {
		hashes[m.Name] = m.Name
	}
	err := db.RunInTx(context.Background(), nil, func(ctx context.Context, tx bun.Tx) error {
		return meta.Save(ctx, tx, tenantID, meta.Change{
			Before: meta.State{Version: v - 1, Models: before},
			After:  meta.State{Version: v, Hash: "h", Models: models, Hashes: hashes}})
	})
	if err != nil {
		tb.Fatal(err)
	}
}

func TestMetaSourceAcrossReplicas(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ten := metaDB(t)
	src := registry.MetaSource{DB: db}
	if v, models, _, err := src.Snapshot(ctx, ten.ID); err != nil || v != 0 || len(models) != 0 {
		t.Fatalf("new tenant: v%d %v %v", v, models, err)
	}
	commit(t, db, ten.ID, 1, nil, event())
	p := testPrefix(t)
	a := replica(t, src, p, p+"a", registry.WithWindow(time.Hour))
	b := replica(t, src, p, p+"b", registry.WithWindow(time.Hour))
	for _, r := range []*registry.Registry{a, b} {
		s, err := r.Get(ctx, ten)
		if err != nil || s.Version != 1 || s.Schema != "t_acme" {
			t.Fatalf("Get = %+v, %v", s, err)
		}
		if _, ok := s.Table("event"); !ok {
			t.Fatal("no event table")
		}
	}
	if a.Stats().PostgresLoads != 1 || b.Stats().RedisLoads != 1 {
		t.Fatalf("A %+v, B %+v", a.Stats(), b.Stats())
	}
	// A change through A: committed, then published; B uses it at once.
	commit(t, db, ten.ID, 2, []schema.Model{event()}, event("note"), schema.Model{Name: "user",
		Fields: []schema.Field{{Name: "email", Type: "email"}}})
	_, models, _, _ := src.Snapshot(ctx, ten.ID)
	if err := a.Published(ctx, ten, 2, models, nil); err != nil {
		t.Fatal(err)
	}
	eventually(t, time.Second, func() bool { return b.Stats().Invalidations > 0 })
	s, err := b.Get(ctx, ten)
	if err != nil || s.Version != 2 || len(s.Tables) != 2 {
		t.Fatalf("B after the change: %+v, %v", s, err)
	}
	// A change B never hears of: Verify finds it in Postgres.
	commit(t, db, ten.ID, 3, models, event("note"))
	if s, _ := b.Get(ctx, ten); s.Version != 2 {
		t.Fatalf("B within its window: v%d", s.Version)
	}
	if s, err := b.Verify(ctx, ten); err != nil || s.Version != 3 || len(s.Tables) != 1 {
		t.Fatalf("B.Verify: %+v, %v", s, err)
	}
}

// Versions answers for many tenants in one query: 0 for one that never changed, nothing
// for one that does not exist.
func TestMetaSourceVersions(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, ten := metaDB(t)
	src := registry.MetaSource{DB: db}
	var other int64
	if err := db.QueryRowContext(ctx, `INSERT INTO forma.tenants (slug, name, schema_name)
		VALUES ('bolt', 'Bolt', 't_bolt') RETURNING id`).Scan(&other); err != nil {
		t.Fatal(err)
	}
	commit(t, db, ten.ID, 1, nil, event())
	commit(t, db, ten.ID, 2, []schema.Model{event()}, event("note"))
	got, err := src.Versions(ctx, []int64{ten.ID, other, other + 1000})
	if err != nil || len(got) != 2 || got[ten.ID] != 2 || got[other] != 0 {
		t.Fatalf("Versions = %v, %v; want {%d: 2, %d: 0}", got, err, ten.ID, other)
	}
}
