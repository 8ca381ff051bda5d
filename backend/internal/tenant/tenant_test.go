package tenant_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/testdb"
	"forma.dev/shared/problem"
)

func TestValidateSlug(t *testing.T) {
	t.Parallel()
	for slug, code := range map[string]string{
		"acme": "", "a": "", "a_1": "", strings.Repeat("a", 40): "",
		"": problem.Required, strings.Repeat("a", 41): problem.TooLong,
		"Acme": problem.InvalidName, "1a": problem.InvalidName, "a-b": problem.InvalidName, "../x": problem.InvalidName,
		"a;drop": problem.InvalidName, "_a": problem.InvalidName, "é": problem.InvalidName,
		"select": problem.ReservedWord, "public": problem.ReservedWord, "forma": problem.ReservedWord,
	} {
		probs := tenant.ValidateSlug(slug)
		got := ""
		if len(probs) > 0 {
			got = probs[0].Code
		}
		if got != code || len(probs) > 1 {
			t.Errorf("ValidateSlug(%q) = %v, want code %q", slug, probs, code)
		}
	}
}

func newService(t *testing.T) (*tenant.Service, *bun.DB, func(query string) int) {
	db, ctx := testdb.Open(t), context.Background()
	if err := migrations.Up(ctx, db); err != nil {
		t.Fatal(err)
	}
	count := func(query string) int {
		var n int
		if err := db.QueryRowContext(ctx, query).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return tenant.NewService(db, auth.NewStore(db, time.Second)), db, count
}

func TestConcurrentCreatesOfOneSlugMakeOneTenant(t *testing.T) {
	t.Parallel()
	svc, _, count := newService(t)
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for i := range errs {
		wg.Go(func() { _, errs[i] = svc.Create(context.Background(), "acme", "Acme") })
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.As(err) == nil || apperr.As(err).Code != apperr.Conflict:
			t.Errorf("create: %v, want a conflict", err)
		}
	}
	if ok != 1 || count(`SELECT count(*) FROM forma.tenants`) != 1 || count(`SELECT count(*) FROM forma.keys`) != 1 {
		t.Fatalf("%d creates succeeded; want one tenant with one key", ok)
	}
}

func TestAFailedCreateLeavesNothingBehind(t *testing.T) {
	t.Parallel()
	svc, db, count := newService(t)
	ctx := context.Background()
	// Made by hand, with the name the next tenant (the database's first, id 1) gets.
	if _, err := db.ExecContext(ctx, `CREATE SCHEMA t1_taken`); err != nil {
		t.Fatal(err)
	}
	_, err := svc.Create(ctx, "taken", "")
	if e := apperr.As(err); e == nil || e.Code != apperr.Conflict {
		t.Fatalf("create over an existing schema: %v, want a conflict", err)
	}
	if n := count(`SELECT count(*) FROM forma.tenants`) + count(`SELECT count(*) FROM forma.keys`); n != 0 {
		t.Fatalf("a failed create left %d rows", n)
	}
	if _, err := svc.Get(ctx, "taken"); apperr.As(err) == nil || apperr.As(err).Code != apperr.NotFound {
		t.Fatalf("Get after a failed create: %v", err)
	}
}
