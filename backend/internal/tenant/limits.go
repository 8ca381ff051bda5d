package tenant

import (
	"context"
	"database/sql"
	"errors"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/limits"
)

// SetLimits changes the tenant's own limits by p and returns the tenant as it is after.
// Every replica's cached keys of the tenant, which carry its limits, are dropped before
// it returns (through Redis; within the key cache TTL without it).
func (s *Service) SetLimits(ctx context.Context, slug string, p limits.Patch) (Tenant, error) {
	var t Tenant
	if len(ValidateSlug(slug)) > 0 {
		return t, errNotFound()
	}
	err := s.db.RunInTx(ctx, nil, func(ctx context.Context, tx bun.Tx) error {
		err := tx.NewSelect().Model(&t).Where("t.slug = ?", slug).For("UPDATE").Scan(ctx)
		if errors.Is(err, sql.ErrNoRows) {
			return errNotFound()
		} else if err != nil {
			return err
		}
		t.Limits = p.Apply(t.Limits)
		_, err = tx.NewUpdate().Model(&t).Column("limits").WherePK().Exec(ctx)
		return err
	})
	if err != nil {
		return Tenant{}, err
	}
	s.keys.ForgetTenant(ctx, t.ID)
	return t, nil
}
