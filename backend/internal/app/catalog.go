package app

import (
	"context"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/registry"
)

// catalog serves the data API's compiled models from the model cache.
type catalog struct{ reg *registry.Registry }

func (c catalog) Get(ctx context.Context, t records.Tenant, minVersion int64) (*records.Tables, error) {
	rt := registry.Tenant{ID: t.ID, Schema: t.Schema}
	var set *registry.Set
	var err error
	if minVersion > 0 {
		set, err = c.reg.Fresh(ctx, rt, minVersion)
	} else {
		set, err = c.reg.Get(ctx, rt)
	}
	return tables(set, err)
}

// Reload checks the version in Postgres and reloads only when it moved: the cheap way to
// tell "the cache is stale" from "the client is wrong".
func (c catalog) Reload(ctx context.Context, t records.Tenant) (*records.Tables, error) {
	return tables(c.reg.Verify(ctx, registry.Tenant{ID: t.ID, Schema: t.Schema}))
}

func tables(set *registry.Set, err error) (*records.Tables, error) {
	if err != nil {
		return nil, err
	}
	return &records.Tables{Version: set.Version, ByName: set.Tables}, nil
}
