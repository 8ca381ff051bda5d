package webhooks

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/wire"
	"forma.dev/shared/plan"
)

// RecordPayload is the body of a record.* delivery.
type RecordPayload struct {
	Type          string          `json:"type"`
	Tenant        string          `json:"tenant"`
	Model         string          `json:"model"`
	Record        *records.Record `json:"record"`
	SchemaVersion int64           `json:"schema_version"`
	Timestamp     string          `json:"timestamp"`
	// Sequence is the event's id, set by the outbox: it grows with every change of the
	// record, in the order the changes committed.
	Sequence int64 `json:"sequence,omitempty"`
}

// SchemaPayload is the body of a schema.changed delivery.
type SchemaPayload struct {
	Type          string    `json:"type"`
	Tenant        string    `json:"tenant"`
	Models        []string  `json:"models"`
	Plan          []plan.Op `json:"plan"`
	SchemaVersion int64     `json:"schema_version"`
	Timestamp     string    `json:"timestamp"`
	// Sequence is the event's id, set by the outbox: it grows with every schema change
	// of the tenant.
	Sequence int64 `json:"sequence,omitempty"`
}

// emitSQL writes the events ($5: one JSON payload each, $6: the ordering key of each)
// and one delivery per event and matching enabled subscription, in one statement; no
// subscription, no rows. Each event's id is drawn first so that its payload can carry
// it as "sequence". Locking the subscriptions FOR KEY SHARE (as the foreign key check
// would) skips one being deleted. pg_notify wakes the dispatchers when the transaction
// commits.
const emitSQL = `WITH subs AS (
	SELECT id FROM forma.webhook_subscriptions
	WHERE tenant_id = $1 AND enabled AND $2 = ANY (events) AND (models = '{}' OR models && $3::text[])
	FOR KEY SHARE
), q AS (
	SELECT nextval('forma.webhook_events_id_seq') AS id, u.p, u.k
	FROM unnest($5::text[], $6::text[]) WITH ORDINALITY AS u (p, k, n)
	WHERE EXISTS (SELECT 1 FROM subs) ORDER BY u.n
), ev AS (
	INSERT INTO forma.webhook_events (id, tenant_id, type, model, payload) OVERRIDING SYSTEM VALUE
	SELECT q.id, $1, $2, $4, q.p::jsonb || jsonb_build_object('sequence', q.id) FROM q ORDER BY q.id
	RETURNING id
), d AS (
	INSERT INTO forma.webhook_deliveries (event_id, subscription_id, ordering_key)
	SELECT q.id, subs.id, q.k FROM q JOIN ev USING (id) CROSS JOIN subs ORDER BY q.id, subs.id
	RETURNING 1
)
SELECT pg_notify('` + notifyChannel + `', '') FROM (SELECT 1 FROM d LIMIT 1) AS any_delivery`

// schemaKey is the ordering key of schema.changed events: a tenant's schema changes
// reach each endpoint in order.
const schemaKey = "schema"

// recordKey is the ordering key of a record's events: "<model>:<id>".
func recordKey(model string, r *records.Record) string {
	id, _ := r.Get("id")
	return fmt.Sprint(model, ":", id)
}

// Wants reports whether an enabled subscription of the tenant listens for event on model,
// from the in-memory view: no query unless the view is due for a reload.
func (s *Service) Wants(ctx context.Context, tenantID int64, model, event string) bool {
	return s.view.current(ctx).wants(tenantID, event, model)
}

// Emit writes one event per record to the outbox inside tx, with its deliveries.
func (s *Service) Emit(ctx context.Context, tx pgx.Tx, tenantID int64, model, event string, version int64, recs []*records.Record) error {
	slug, err := s.slug(ctx, tenantID, func(slug *string) error {
		return tx.QueryRow(ctx, slugSQL, tenantID).Scan(slug)
	})
	if err != nil {
		return err
	}
	now := time.Now().UTC().Format(time.RFC3339Nano)
	payloads, keys := make([]string, len(recs)), make([]string, len(recs))
	for i, r := range recs {
		keys[i] = recordKey(model, r)
		b, err := json.Marshal(RecordPayload{Type: event, Tenant: slug, Model: model, Record: r,
			SchemaVersion: version, Timestamp: now})
		if err != nil {
			return err
		}
		payloads[i] = string(b)
	}
	_, err = tx.Exec(ctx, emitSQL, tenantID, event, []string{model}, model, payloads, keys)
	return err
}

// SchemaHook is the schema engine's hook: it writes the schema.changed event of a change
// inside the change's transaction.
func (s *Service) SchemaHook(ctx context.Context, tx bun.Tx, t tenantref.Ref, r *schemasync.Result) error {
	snap := s.view.current(ctx)
	if !snap.unknown && !snap.wantsAny(t.ID, SchemaChanged) {
		return nil
	}
	models, err := changedModels(ctx, tx.Tx, t.ID, r)
	if err != nil || !snap.wants(t.ID, SchemaChanged, models...) {
		return err
	}
	slug, err := s.slug(ctx, t.ID, func(slug *string) error {
		return tx.QueryRowContext(ctx, slugSQL, t.ID).Scan(slug)
	})
	if err != nil {
		return err
	}
	body, err := json.Marshal(SchemaPayload{Type: SchemaChanged, Tenant: slug, Models: models, Plan: r.Ops,
		SchemaVersion: r.Version, Timestamp: time.Now().UTC().Format(time.RFC3339Nano)})
	if err != nil {
		return err
	}
	_, err = tx.Tx.ExecContext(ctx, emitSQL, t.ID, SchemaChanged, models, nil, []string{string(body)}, []string{schemaKey})
	return err
}

// changedModels names the models a change touched: those stored at the new version
// (added or changed, DDL or not) and those its ops name (dropped ones included).
func changedModels(ctx context.Context, tx *sql.Tx, tenantID int64, r *schemasync.Result) ([]string, error) {
	var names []string
	err := tx.QueryRowContext(ctx, `SELECT COALESCE(array_agg(name), '{}') FROM forma.models
		WHERE tenant_id = $1 AND version = $2`, tenantID, r.Version).Scan(wire.Types.SQLScanner(&names))
	if err != nil {
		return nil, err
	}
	for _, op := range r.Ops {
		if op.Model != "" {
			names = append(names, op.Model)
		}
	}
	return uniq(names), nil
}

const slugSQL = `SELECT slug FROM forma.tenants WHERE id = $1`

// slug returns the tenant's slug, from the view or else read (slugSQL) in the caller's
// transaction.
func (s *Service) slug(ctx context.Context, tenantID int64, read func(*string) error) (string, error) {
	if slug := s.view.current(ctx).slug(tenantID); slug != "" {
		return slug, nil
	}
	var slug string
	err := read(&slug)
	return slug, err
}

// wantsAny reports whether any enabled subscription of the tenant listens for event.
func (s *snapshot) wantsAny(tenantID int64, event string) bool {
	ts := s.byTenant[tenantID]
	return ts != nil && slices.ContainsFunc(ts.subs, func(f filter) bool { return slices.Contains(f.events, event) })
}
