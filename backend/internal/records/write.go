package records

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/wire"
	"forma.dev/shared/schema"
)

// Querier runs SQL with $n bind parameters: a *pgxpool.Pool or a pgx.Tx.
type Querier interface {
	Query(ctx context.Context, query string, args ...any) (pgx.Rows, error)
}

// maxParams keeps one statement under Postgres' 65535 bind parameters.
const maxParams = 60000

// insertDirect writes validated rows (record.Create output) on q, in as few statements
// as the parameter limit allows, and returns them as stored. Callers wanting
// all-or-nothing pass a transaction.
func (t *Table) insertDirect(ctx context.Context, q Querier, rows []map[string]any) ([]*Record, error) {
	cols := t.writtenColumns(rows)
	per := len(cols)
	if per == 0 {
		per = 1
	}
	chunk := max(1, maxParams/per)
	out := make([]*Record, 0, len(rows))
	for start := 0; start < len(rows); start += chunk {
		end := min(start+chunk, len(rows))
		query, args := t.insertSQL(cols, rows[start:end])
		recs, err := t.query(ctx, q, query, args, t.columns, end-start)
		if err != nil {
			return nil, err
		}
		out = append(out, recs...)
	}
	return out, nil
}

// writtenColumns lists, in table order, the columns any of the rows sets.
func (t *Table) writtenColumns(rows []map[string]any) []*column {
	var cols []*column
	for _, c := range t.columns[len(schema.SystemColumns):] {
		for _, r := range rows {
			if _, ok := r[c.name]; ok {
				cols = append(cols, c)
				break
			}
		}
	}
	return cols
}

// insertSQL renders an insert of rows, which set no columns but cols. A single row's
// text is kept per set of columns (texts.go).
func (t *Table) insertSQL(cols []*column, rows []map[string]any) (string, []any) {
	if len(rows) != 1 {
		return t.renderInsert(cols, rows)
	}
	a := make([]any, len(cols))
	for i, c := range cols {
		a[i] = dbValue(c, rows[0][c.name])
	}
	return t.texts.text(newShapeKey('i', cols), func() string {
		text, _ := t.renderInsert(cols, rows)
		return text
	}), a
}

func (t *Table) renderInsert(cols []*column, rows []map[string]any) (string, []any) {
	var a args
	var b strings.Builder
	b.WriteString("INSERT INTO ")
	b.WriteString(t.qualified)
	auto := t.autoOnCreate
	if len(cols) == 0 && len(auto) == 0 && len(rows) == 1 {
		b.WriteString(" DEFAULT VALUES RETURNING ")
		b.WriteString(t.returning())
		return b.String(), a
	}
	b.WriteString(" (")
	for i, c := range append(cols, auto...) {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.quoted)
	}
	if len(cols)+len(auto) == 0 { // several rows of nothing but defaults
		b.WriteString(t.columns[0].quoted)
	}
	b.WriteString(") VALUES ")
	for i, r := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for j, c := range cols {
			if j > 0 {
				b.WriteString(", ")
			}
			if v, ok := r[c.name]; ok {
				b.WriteString(a.bind(dbValue(c, v)))
			} else {
				b.WriteString("DEFAULT")
			}
		}
		for j := range auto {
			if j > 0 || len(cols) > 0 {
				b.WriteString(", ")
			}
			b.WriteString("now()")
		}
		if len(cols)+len(auto) == 0 {
			b.WriteString("DEFAULT")
		}
		b.WriteByte(')')
	}
	b.WriteString(" RETURNING ")
	b.WriteString(t.returning())
	return b.String(), a
}

// Update writes validated values (record.Replace or record.Patch output) to one row;
// ifMatch, when set, is the ETag (from ParseETag) the row must still have. It returns no
// record when no row matched.
func (t *Table) Update(ctx context.Context, q Querier, id int64, vals map[string]any, ifMatch *int64) ([]*Record, error) {
	var cols []*column
	a := make([]any, 0, len(vals)+2)
	for _, c := range t.columns[len(schema.SystemColumns):] {
		if val, ok := vals[c.name]; ok {
			cols = append(cols, c)
			a = append(a, dbValue(c, val))
		}
	}
	a = append(a, id)
	kind := byte('u')
	if ifMatch != nil {
		kind = 'U'
		a = append(a, *ifMatch)
	}
	query := t.texts.text(newShapeKey(kind, cols), func() string { return t.updateSQL(cols, ifMatch != nil) })
	return t.query(ctx, q, query, a, t.columns, 1)
}

// updateSQL renders an update of cols ($1 to $n, in order), by id ($n+1) and, with
// ifMatch, ETag ($n+2).
func (t *Table) updateSQL(cols []*column, ifMatch bool) string {
	var b strings.Builder
	b.WriteString("UPDATE " + t.qualified + " SET " + t.byName[schema.ColumnUpdatedAt].quoted + " = now()")
	for _, name := range t.validator.AutoNow() {
		b.WriteString(", " + t.byName[name].quoted + " = now()")
	}
	for i, c := range cols {
		b.WriteString(", " + c.quoted + " = $" + strconv.Itoa(i+1))
	}
	b.WriteString(" WHERE " + t.byName[schema.ColumnID].quoted + " = $" + strconv.Itoa(len(cols)+1))
	if ifMatch {
		b.WriteString(" AND " + etagSQL + " = $" + strconv.Itoa(len(cols)+2))
	}
	b.WriteString(" RETURNING " + t.returning())
	return b.String()
}

// Delete removes one row; ifMatch as in Update. It returns the row removed, if any.
func (t *Table) Delete(ctx context.Context, q Querier, id int64, ifMatch *int64) ([]*Record, error) {
	if ifMatch != nil {
		return t.query(ctx, q, t.deleteSQL[1], []any{id, *ifMatch}, t.columns, 1)
	}
	return t.query(ctx, q, t.deleteSQL[0], []any{id}, t.columns, 1)
}

// dbValue turns a normalised value into what the driver binds: JSON values are sent as
// their encoding; everything else is already a string, number or bool.
func dbValue(c *column, v any) any {
	if c.kind != wire.JSON || v == nil {
		return v
	}
	b, _ := json.Marshal(v)
	return json.RawMessage(b)
}
