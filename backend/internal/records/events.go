package records

import (
	"context"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/tenantref"
)

// Record events, as webhook subscribers name them.
const (
	EventCreated = "record.created"
	EventUpdated = "record.updated"
	EventDeleted = "record.deleted"
)

// Events is the outbox of record changes: it writes events in the same transaction as
// the change, so a committed change always has its events and a rolled-back one none.
type Events interface {
	// Wants reports whether anyone listens for this event of the model. When it is false
	// the write runs without a transaction and pays nothing for events.
	Wants(ctx context.Context, tenantID int64, model, event string) bool
	// Emit writes one event per record inside tx.
	Emit(ctx context.Context, tx pgx.Tx, tenantID int64, model, event string, version int64, recs []*Record) error
}

// write runs fn, and emits its records as event in the same transaction when someone
// listens. all asks for a transaction anyway (a bulk write is all or nothing). fn is
// told whether it runs in a transaction.
func (s *Service) write(ctx context.Context, t tenantref.Ref, model, event string, version int64, all bool,
	fn func(q Querier, inTx bool) ([]*Record, error)) ([]*Record, error) {
	return s.writeListened(ctx, t, model, event, version, s.listens(ctx, t, model, event), all, fn)
}

// listens reports whether anyone listens for event of the tenant's model.
func (s *Service) listens(ctx context.Context, t tenantref.Ref, model, event string) bool {
	return s.Events != nil && s.Events.Wants(ctx, t.ID, model, event)
}

// writeListened is write, told whether anyone listens (listens): a caller that must know
// before it writes (to read its rows back for their events) asks once.
func (s *Service) writeListened(ctx context.Context, t tenantref.Ref, model, event string, version int64, listened, all bool,
	fn func(q Querier, inTx bool) ([]*Record, error)) ([]*Record, error) {
	if !listened && !all {
		recs, err := fn(s.pool(), false)
		return recs, markWritten(err) // alone, outside a transaction: committed
	}
	conn, err := s.pool().acquireFor(ctx, laneOf(t)) // the tenant's lane: its tables' catalog is cached there
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	recs, err := fn(tx, true)
	if err != nil {
		return nil, err
	}
	if listened && len(recs) > 0 {
		if err := s.Events.Emit(ctx, tx, t.ID, model, event, version, recs); err != nil {
			return nil, err
		}
	}
	return recs, dbError(tx.Commit(ctx))
}
