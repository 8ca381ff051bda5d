package records

import (
	"context"

	"forma.dev/backend/internal/query"
)

// The table's paths, for the package's external tests.

func (t *Table) GetDirect(ctx context.Context, q Querier, id int64) (*Record, error) {
	return t.getDirect(ctx, q, id)
}

func (t *Table) InsertDirect(ctx context.Context, q Querier, rows []map[string]any) ([]*Record, error) {
	return t.insertDirect(ctx, q, rows)
}

// ListBatched takes a Querier, as the tests hold the pool as one; it must be the pool.
func (t *Table) ListBatched(ctx context.Context, q Querier, lq query.List) (*Page, error) {
	return t.listBatched(ctx, q.(batchQuerier), lq)
}
