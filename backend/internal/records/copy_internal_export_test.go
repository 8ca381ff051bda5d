package records

import "context"

// InsertCopy is the bulk path of built-in roles (copy.go), for the external tests.
func (t *Table) InsertCopy(ctx context.Context, q Querier, rows []map[string]any) (int64, error) {
	return t.insertCopy(ctx, q, rows)
}
