package changes

import (
	"context"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/records"
)

// Compose is the one records.Events of several outboxes (the webhooks' and the change
// log): it wants an event when any of them does, and each writes it only if it wants it.
func Compose(outboxes ...records.Events) records.Events { return composite(outboxes) }

type composite []records.Events

func (c composite) Wants(ctx context.Context, tenantID int64, model, event string) bool {
	for _, e := range c {
		if e.Wants(ctx, tenantID, model, event) {
			return true
		}
	}
	return false
}

func (c composite) Emit(ctx context.Context, tx pgx.Tx, tenantID int64, model, event string, version int64, recs []*records.Record) error {
	for _, e := range c {
		if !e.Wants(ctx, tenantID, model, event) {
			continue
		}
		if err := e.Emit(ctx, tx, tenantID, model, event, version, recs); err != nil {
			return err
		}
	}
	return nil
}
