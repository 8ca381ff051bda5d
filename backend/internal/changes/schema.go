package changes

import (
	"context"
	"encoding/json"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/plan"
)

// EventSchemaChanged is the event of a tenant's schema stream, named as webhooks name it.
const EventSchemaChanged = "schema.changed"

// The model names of a tenant's schema feed and of its whole feed (schema changes and
// every model's records): no model is named either.
const (
	schemaFeed = ""
	tenantFeed = "*"
)

// schemaChange is the data of a schema.changed event.
type schemaChange struct {
	Version int64     `json:"schema_version"`
	Plan    []plan.Op `json:"plan"`
}

// SchemaHook is the schema engine's hook: it logs a schema change, in the change's
// transaction, when the tenant's schema feed is leased.
func (s *Service) SchemaHook(ctx context.Context, tx bun.Tx, t tenantref.Ref, r *schemasync.Result) error {
	if !s.logs(feedKey{t.ID, schemaFeed}) && !s.logs(feedKey{t.ID, tenantFeed}) {
		return nil
	}
	body, err := json.Marshal(schemaChange{Version: r.Version, Plan: r.Ops})
	if err != nil {
		return err
	}
	for _, lock := range s.locks(t.ID, schemaFeed) {
		if _, err := tx.Tx.ExecContext(ctx, lockSQL, t.ID, lock); err != nil {
			return err
		}
	}
	_, err = tx.Tx.ExecContext(ctx, logSQL, t.ID, schemaFeed, EventSchemaChanged, r.Version, []string{string(body)})
	return err
}

// SubscribeSchema opens a stream of the tenant's schema changes (version is the schema
// version it opens at), and with records of every model's record changes too (each
// event's data names its model), as Subscribe does a model's.
func (s *Service) SubscribeSchema(ctx context.Context, tenant, version int64, records bool, lastID string) (*Stream, Event, error) {
	k := feedKey{tenant, schemaFeed}
	if records {
		k.model = tenantFeed
	}
	return s.subscribe(ctx, k, &filter{}, version, lastID)
}
