package webhooks

import (
	"context"
	"database/sql"
	"errors"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/wire"
)

// MaxPerTenant is the most subscriptions one tenant may have.
const MaxPerTenant = 100

const subColumns = `id, url, description, events, models, enabled, disabled_reason, failures,
	created_at, updated_at, CASE WHEN previous_expires_at > now() THEN previous_expires_at END`

func scanSub(row interface{ Scan(...any) error }) (Subscription, error) {
	var s Subscription
	err := row.Scan(&s.ID, &s.URL, &s.Description, wire.Types.SQLScanner(&s.Events), wire.Types.SQLScanner(&s.Models),
		&s.Enabled, &s.Disabled, &s.Failures, &s.CreatedAt, &s.UpdatedAt, &s.SecretRotatedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		return s, apperr.New(apperr.NotFound, "no such webhook")
	}
	s.URL = redactURL(s.URL)
	return s, err
}

// Create stores a new subscription of the tenant and returns it with its secret.
func (s *Service) Create(ctx context.Context, tenantID int64, in Input) (Subscription, error) {
	if err := in.validate(true); err != nil {
		return Subscription{}, err
	}
	var models []string
	if in.Models != nil {
		models = *in.Models
	}
	desc := ""
	if in.Description != nil {
		desc = *in.Description
	}
	enabled := in.Enabled == nil || *in.Enabled
	secret := NewSecret()
	sub, err := scanSub(s.db.QueryRowContext(ctx, `INSERT INTO forma.webhook_subscriptions
		(tenant_id, url, description, events, models, enabled, secret)
		SELECT $1, $2, $3, $4, $5, $6, $7
		WHERE (SELECT count(*) FROM forma.webhook_subscriptions WHERE tenant_id = $1) < $8
		RETURNING `+subColumns, tenantID, *in.URL, desc, uniq(*in.Events), uniq(models), enabled, secret, MaxPerTenant))
	if apperr.As(err) != nil {
		return sub, apperr.New(apperr.Conflict, "a tenant may have at most 100 webhooks")
	}
	if err != nil {
		return sub, err
	}
	s.view.invalidate()
	sub.Secret = secret
	return sub, nil
}

// List returns the tenant's subscriptions, oldest first, without secrets.
func (s *Service) List(ctx context.Context, tenantID int64) ([]Subscription, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+subColumns+` FROM forma.webhook_subscriptions
		WHERE tenant_id = $1 ORDER BY id`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []Subscription{}
	for rows.Next() {
		sub, err := scanSub(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sub)
	}
	return out, rows.Err()
}

// Get returns one subscription of the tenant, without its secret.
func (s *Service) Get(ctx context.Context, tenantID, id int64) (Subscription, error) {
	return scanSub(s.db.QueryRowContext(ctx, `SELECT `+subColumns+` FROM forma.webhook_subscriptions
		WHERE tenant_id = $1 AND id = $2`, tenantID, id))
}

// Update changes the members of in that are set. Enabling clears the failure streak and
// the reason a subscription was disabled.
func (s *Service) Update(ctx context.Context, tenantID, id int64, in Input) (Subscription, error) {
	if err := in.validate(false); err != nil {
		return Subscription{}, err
	}
	var events, models any
	if in.Events != nil {
		events = uniq(*in.Events)
	}
	if in.Models != nil {
		models = uniq(*in.Models)
	}
	sub, err := scanSub(s.db.QueryRowContext(ctx, `UPDATE forma.webhook_subscriptions SET
		url = COALESCE($3::text, url), description = COALESCE($4::text, description),
		events = COALESCE($5::text[], events), models = COALESCE($6::text[], models),
		enabled = COALESCE($7::boolean, enabled),
		disabled_reason = CASE WHEN $7::boolean IS NULL THEN disabled_reason ELSE '' END,
		failures = CASE WHEN $7::boolean THEN 0 ELSE failures END,
		failing_since = CASE WHEN $7::boolean THEN NULL ELSE failing_since END,
		updated_at = now()
		WHERE tenant_id = $1 AND id = $2 RETURNING `+subColumns,
		tenantID, id, in.URL, in.Description, events, models, in.Enabled))
	if err == nil {
		s.view.invalidate()
	}
	return sub, err
}

// Delete removes a subscription with its deliveries and their attempts.
func (s *Service) Delete(ctx context.Context, tenantID, id int64) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM forma.webhook_subscriptions WHERE tenant_id = $1 AND id = $2`, tenantID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return apperr.New(apperr.NotFound, "no such webhook")
	}
	s.view.invalidate()
	return nil
}

// Rotate gives a subscription a new secret, returned once; the previous one keeps
// signing (a second signature) for Options.RotateGrace.
func (s *Service) Rotate(ctx context.Context, tenantID, id int64) (Subscription, error) {
	secret := NewSecret()
	grace := s.opts.RotateGrace
	sub, err := scanSub(s.db.QueryRowContext(ctx, `UPDATE forma.webhook_subscriptions SET
		previous_secret = secret, previous_expires_at = now() + $4 * interval '1 microsecond',
		secret = $3, updated_at = now()
		WHERE tenant_id = $1 AND id = $2 RETURNING `+subColumns, tenantID, id, secret, grace.Microseconds()))
	if err != nil {
		return sub, err
	}
	sub.Secret = secret
	return sub, nil
}
