package registry

import (
	"context"
	"database/sql"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/meta"
	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// Source is where the truth lives: a tenant's schema version and models in Postgres.
type Source interface {
	// Version returns the tenant's current schema version (0 when it never changed).
	// It MUST be cheap: it runs once per tenant per window.
	Version(ctx context.Context, tenantID int64) (int64, error)
	// Versions returns the current schema versions of the tenants named, in one query
	// (a tenant that never changed: 0; one that does not exist: absent).
	Versions(ctx context.Context, tenantIDs []int64) (map[int64]int64, error)
	// Snapshot returns the tenant's current version, its models and its custom roles,
	// read consistently.
	Snapshot(ctx context.Context, tenantID int64) (int64, []schema.Model, map[string]*access.Stored, error)
}

// MetaSource is the Source over the control schema, read with package meta.
type MetaSource struct{ DB *bun.DB }

var _ Source = MetaSource{}

// Version returns the tenant's current schema version.
func (s MetaSource) Version(ctx context.Context, tenantID int64) (int64, error) {
	return meta.Version(ctx, s.DB, tenantID)
}

// Versions returns the current schema versions of the tenants named.
func (s MetaSource) Versions(ctx context.Context, tenantIDs []int64) (map[int64]int64, error) {
	return meta.Versions(ctx, s.DB, tenantIDs)
}

// Snapshot reads the version, the models and the roles in one repeatable-read
// transaction, so a change committing meanwhile cannot pair one version with another's
// models or roles.
func (s MetaSource) Snapshot(ctx context.Context, tenantID int64) (int64, []schema.Model, map[string]*access.Stored, error) {
	var st meta.State
	err := s.DB.RunInTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true},
		func(ctx context.Context, tx bun.Tx) error {
			var err error
			st, err = meta.Load(ctx, tx, tenantID)
			return err
		})
	return st.Version, st.Models, st.Roles, err
}
