package records

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Bulk creates by built-in roles go through COPY … FROM STDIN (FORMAT binary) rather
// than INSERT … VALUES: no statement text of 60,000 parameters to parse and plan, and
// values sent in binary. They are validated before (Create), and copied inside the
// write's transaction, so a refused row (a unique value, a missing related record)
// rolls all of them back, with the same answer as an insert (dbError).
//
// COPY returns no rows. Service.CreateWith copies only when the count is all that is
// wanted (Prefer: return=minimal and no webhook listening): the ids are then the
// column's default and nothing is read back. insertCopy can also return the records:
// their ids are taken first from the table's identity sequence, in one statement, in
// the order of the body (ids taken so belong to this transaction alone, whatever other
// writers do), the rows copied with them and read back by them; measured on arrays of
// 1,000 events with 1 client, that was slower than INSERT … RETURNING (about 63,000
// against 82,000 rows/s), so when the records are wanted a bulk write is inserted.

// copier is a transaction, which can COPY.
type copier interface {
	Querier
	CopyFrom(ctx context.Context, tableName pgx.Identifier, columnNames []string, rowSrc pgx.CopyFromSource) (int64, error)
}

// insertCopy writes validated rows (record.Create output) with COPY on q, which should
// be a transaction (otherwise it inserts), and answers how many it wrote. COPY answers
// no rows: a bulk write whose records are answered, or that webhooks listen for, is
// inserted with RETURNING (insertDirect), measured faster than a COPY read back by id.
func (t *Table) insertCopy(ctx context.Context, q Querier, rows []map[string]any) (n int64, err error) {
	cp, ok := q.(copier)
	cols := t.writtenColumns(rows)
	if !ok || len(rows) == 0 || len(cols)+len(t.autoOnCreate) == 0 {
		recs, err := t.insertDirect(ctx, q, rows)
		return int64(len(recs)), err
	}
	layout, err := t.copyLayout(ctx, q, cols)
	if err != nil {
		return 0, err
	}
	src := &copyRows{copyLayout: layout, rows: rows, i: -1}
	if n, err = cp.CopyFrom(ctx, t.ident, layout.names, src); err != nil {
		if copyUnencodable(err) {
			// pgx could not send a value as the column's type in the database: the
			// column changed type since the model was compiled (withRetry reloads it).
			return 0, &staleRows{column: "(a column of the copy)"}
		}
		return 0, dbError(err)
	}
	return n, nil
}

func queryRow(ctx context.Context, q Querier, sql string, args []any, dst ...any) error {
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return err
		}
		return pgx.ErrNoRows
	}
	if err := rows.Scan(dst...); err != nil {
		return err
	}
	return rows.Err()
}

// copyLayout is what a COPY of a table's rows sends for each row: the columns written
// (a row that lacks one gets its fill: its default, as an insert would), then now()
// for each automatic field; names are the COPY's columns, in that order. vals is
// reused: pgx encodes a row before it asks for the next.
type copyLayout struct {
	cols  []*column
	fills []any
	names []string
	now   time.Time
	auto  int
	vals  []any
}

// copyLayout lays out a COPY of the columns cols of t, reading now() on q when t has
// automatic fields.
func (t *Table) copyLayout(ctx context.Context, q Querier, cols []*column) (*copyLayout, error) {
	l := &copyLayout{cols: cols, fills: make([]any, len(cols)), auto: len(t.autoOnCreate)}
	for i, c := range cols {
		if f, ok := t.validator.Field(c.name); ok && f.HasDefault {
			l.fills[i] = copyValue(c, f.Default)
		}
		l.names = append(l.names, c.name)
	}
	for _, c := range t.autoOnCreate {
		l.names = append(l.names, c.name)
	}
	if l.auto > 0 {
		if err := queryRow(ctx, q, "SELECT now()", nil, &l.now); err != nil {
			return nil, dbError(err)
		}
	}
	l.vals = make([]any, len(l.names))
	return l, nil
}

// values are what the COPY sends for row.
func (l *copyLayout) values(row map[string]any) []any {
	k := 0
	for j, c := range l.cols {
		if v, ok := row[c.name]; ok {
			l.vals[k] = copyValue(c, v)
		} else {
			l.vals[k] = l.fills[j]
		}
		k++
	}
	for range l.auto {
		l.vals[k] = l.now
		k++
	}
	return l.vals
}

// copyRows is the rows of a bulk write's COPY, as pgx reads them.
type copyRows struct {
	*copyLayout
	rows []map[string]any
	i    int
}

func (s *copyRows) Next() bool { s.i++; return s.i < len(s.rows) }

func (s *copyRows) Values() ([]any, error) { return s.values(s.rows[s.i]), nil }

func (s *copyRows) Err() error { return nil }

// copyValue is what COPY sends for a normalised value: as an insert binds it (dbValue),
// but a datetime as a time, which pgx encodes in binary (it reads "2024-05-01T10:30:00Z"
// as text no more than Postgres' text format does with its T). Other strings (dates,
// times, decimals, uuids) pgx reads as Postgres' text format and sends in binary.
func copyValue(c *column, v any) any {
	if s, ok := v.(string); ok && c.typ == "datetime" {
		if tm, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return tm
		}
	}
	return dbValue(c, v)
}

// copyUnencodable reports whether a COPY failed because pgx could not encode a value for
// the column's type: pgx then ends the COPY itself (CopyFail), which Postgres answers as
// canceled.
func copyUnencodable(err error) bool {
	var pg *pgconn.PgError
	return errors.As(err, &pg) && pg.Code == "57014" && strings.HasPrefix(pg.Message, "COPY from stdin failed: unable to encode")
}
