package schemasync_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
)

// reader may list posts, every field.
var reader = access.Role{Permissions: map[string]map[access.Action]*access.Rule{
	"post": {access.List: {Fields: &access.Fields{All: true}}}}}

func TestATenantHasAtMostMaxRoles(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.put(`{"name":"post","fields":[{"name":"title","type":"text"}]}`, schemasync.Options{})
	roles := map[string]access.Role{}
	for i := range access.MaxRoles {
		roles[fmt.Sprintf("r%d", i)] = reader
	}
	st := e.state()
	res, err := e.engine.ApplySnapshot(ctx, e.tenant, st.Models, roles, schemasync.Options{})
	if err != nil || !res.Changed || len(res.Roles) != access.MaxRoles {
		t.Fatalf("%d roles: %+v %v", access.MaxRoles, res, err)
	}
	if st := e.state(); len(st.Roles) != access.MaxRoles || st.Version != 2 {
		t.Fatalf("stored: %d roles at v%d", len(st.Roles), st.Version)
	}
	_, _, err = e.engine.PutRole(ctx, e.tenant, "one_more", reader, schemasync.Options{})
	if ae := wantCode(t, err, apperr.Invalid); len(ae.Problems) != 1 || ae.Problems[0].Path != "roles" || ae.Problems[0].Code != problem.MaxItems {
		t.Fatalf("problems: %v", ae.Problems)
	}
	if _, _, err := e.engine.PutRole(ctx, e.tenant, "r7", access.Role{Description: "again", Permissions: reader.Permissions}, schemasync.Options{}); err != nil {
		t.Fatalf("replacing one of %d roles: %v", access.MaxRoles, err)
	}
	roles["one_more"] = reader
	_, err = e.engine.ApplySnapshot(ctx, e.tenant, st.Models, roles, schemasync.Options{})
	wantCode(t, err, apperr.Invalid)
}

// TestAKeyAndTheDeletionOfItsRoleDoNotBothWin: a key made for a role while the role is
// deleted either is refused (the role is gone) or makes the deletion a conflict (the key
// holds it); never a key holding a role that does not exist.
func TestAKeyAndTheDeletionOfItsRoleDoNotBothWin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.put(`{"name":"post","fields":[{"name":"title","type":"text"}]}`, schemasync.Options{})
	keys := auth.NewStore(e.db, 0)
	for i := range 20 {
		if _, _, err := e.engine.PutRole(ctx, e.tenant, "viewer", reader, schemasync.Options{}); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var keyErr, delErr error
		wg.Add(2)
		go func() {
			defer wg.Done()
			_, _, keyErr = keys.Create(ctx, e.tenant.ID, fmt.Sprintf("k%d", i), "viewer")
		}()
		go func() {
			defer wg.Done()
			_, delErr = e.engine.DeleteRole(ctx, e.tenant, "viewer", schemasync.Options{})
		}()
		wg.Wait()
		held := e.count("SELECT count(*) FROM forma.keys WHERE tenant_id = ? AND role = 'viewer' AND revoked_at IS NULL", e.tenant.ID)
		exists := e.count("SELECT count(*) FROM forma.roles WHERE tenant_id = ? AND name = 'viewer'", e.tenant.ID)
		switch {
		case keyErr == nil && delErr == nil:
			t.Fatalf("round %d: both the key and the deletion won", i)
		case keyErr == nil:
			wantCode(t, delErr, apperr.Conflict)
		case delErr == nil:
			wantCode(t, keyErr, apperr.Invalid)
		default:
			t.Fatalf("round %d: both failed: %v; %v", i, keyErr, delErr)
		}
		if held > 0 && exists == 0 {
			t.Fatalf("round %d: %d key(s) hold a deleted role", i, held)
		}
		e.exec("UPDATE forma.keys SET revoked_at = now() WHERE tenant_id = ?", e.tenant.ID)
	}
}

func TestARoleOnlyChangeIsAVersionWithItsHistory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.put(`{"name":"post","fields":[{"name":"title","type":"text"}]}`, schemasync.Options{})
	res, created, err := e.engine.PutRole(ctx, e.tenant, "viewer", reader, schemasync.Options{Actor: "key:9"})
	if err != nil || !created || res.Version != 2 || len(res.Ops) != 0 || len(res.SQL) != 0 {
		t.Fatalf("put: %+v created=%v %v", res, created, err)
	}
	hist, err := e.engine.History(ctx, e.tenant, 0, 10)
	if err != nil || len(hist) != 2 || hist[0].Roles == nil || hist[1].Roles != nil {
		t.Fatalf("history: %+v %v", hist, err)
	}
	if r := hist[0].Roles; len(r.Before) != 0 || r.After["viewer"].Permissions["post"][access.List] == nil || hist[0].Actor != "key:9" {
		t.Fatalf("history of the role change: %+v", r)
	}
	_, err = e.engine.DeleteRole(ctx, e.tenant, "ghost", schemasync.Options{})
	wantCode(t, err, apperr.NotFound)
	_, _, err = e.engine.PutRole(ctx, e.tenant, "write", reader, schemasync.Options{})
	if ae := wantCode(t, err, apperr.Invalid); ae.Problems[0].Path != "name" {
		t.Fatalf("a built-in name: %v", ae.Problems)
	}
}
