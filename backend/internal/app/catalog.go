package app

import (
	"context"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/tenantref"
)

// catalog serves the data API's compiled models from the model cache.
type catalog struct{ reg *registry.Registry }

func (c catalog) Get(ctx context.Context, t tenantref.Ref, minVersion int64) (*records.Tables, error) {
	var set *registry.Set
	var err error
	if minVersion > 0 {
		set, err = c.reg.Fresh(ctx, t, minVersion)
	} else {
		set, err = c.reg.Get(ctx, t)
	}
	return tables(set, err)
}

// Reload checks the version in Postgres and reloads only when it moved: the cheap way to
// tell "the cache is stale" from "the client is wrong".
func (c catalog) Reload(ctx context.Context, t tenantref.Ref) (*records.Tables, error) {
	return tables(c.reg.Verify(ctx, t))
}

func tables(set *registry.Set, err error) (*records.Tables, error) {
	if err != nil {
		return nil, err
	}
	return &records.Tables{Version: set.Version, ByName: set.Tables, Roles: set.Roles}, nil
}

// catalogRoles tells a tenant's custom roles from the model cache, where they come with
// the models of the tenant's schema version.
type catalogRoles struct{ c catalog }

func (r catalogRoles) HasRole(ctx context.Context, t tenantref.Ref, name string) (bool, error) {
	ts, err := r.c.Get(ctx, t, 0)
	if err != nil {
		return false, err
	}
	return ts.Roles[name] != nil, nil
}
