package records

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/backend/internal/wire"
	"forma.dev/shared/schema"
)

// query runs a statement that returns rows of cols; hint is how many it should return
// (slabs and the result are sized for it).
func (t *Table) query(ctx context.Context, q Querier, query string, args []any, cols []*column, hint int) ([]*Record, error) {
	var rows pgx.Rows
	var err error
	if p, ok := q.(onPool); ok {
		rows, err = p.queryFor(ctx, t, query, args)
	} else {
		rows, err = q.Query(ctx, query, args...)
	}
	if err != nil {
		return nil, dbError(err)
	}
	return readRows(rows, cols, hint)
}

// readRows reads and closes rows of cols. Rows whose column types are not the model's
// are not decoded: the answer is a *staleRows with their ids.
func readRows(rows pgx.Rows, cols []*column, hint int) ([]*Record, error) {
	defer rows.Close()
	fields := rows.FieldDescriptions()
	if stale := staleColumn(cols, fields); stale != nil {
		for rows.Next() {
			if id, err := wire.DecodeInt(fields[0], rows.RawValues()[0]); err == nil && cols[0].name == schema.ColumnID {
				stale.ids = append(stale.ids, id)
			}
		}
		if err := rows.Err(); err != nil {
			return nil, dbError(err)
		}
		return nil, stale
	}
	out := make([]*Record, 0, min(hint, wire.FirstChunk))
	sc := wire.NewScanner(cols, fields, hint)
	var recs []Record // carved like the scanner's slabs
	for rows.Next() {
		if len(recs) == cap(recs) {
			recs = make([]Record, 0, sc.RowsLeft())
		}
		vals, err := sc.Scan(rows.RawValues())
		if err != nil {
			return nil, fmt.Errorf("records: %w", err)
		}
		recs = append(recs, Record{cols: cols, vals: vals})
		out = append(out, &recs[len(recs)-1])
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	return out, nil
}

// staleColumn returns the first column whose type in fields is not read as the model
// reads it (the column changed type after the model was compiled), or nil.
func staleColumn(cols []*column, fields []pgconn.FieldDescription) *staleRows {
	for i, c := range cols {
		if i >= len(fields) {
			break
		}
		if oid := fields[i].DataTypeOID; wire.Mismatch(c.kind, oid) {
			return &staleRows{column: c.name, oid: oid}
		}
	}
	return nil
}
