package records

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/jsonenc"
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/wire"
	"forma.dev/shared/access"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
)

// The formats an export writes.
const (
	ExportNDJSON = "ndjson" // one record a line, as the list API writes it
	ExportCSV    = "csv"    // RFC 4180: a header row of field names, then a row a record
)

// exportChunk is how many bytes an export gathers before it writes and flushes them.
const exportChunk = 64 << 10

// exportScanRows is how many rows one wire.Scanner's slabs hold: a new scanner every
// so many rows, so the slabs of rows written are garbage, whatever the export's size.
const exportScanRows = 256

// errChunkTimeout ends an export whose rows did not come within ChunkTimeout.
var errChunkTimeout = errors.New("records: export rows did not come within the statement timeout")

// ExportOptions says how an export writes.
type ExportOptions struct {
	// Format is ExportNDJSON or ExportCSV.
	Format string
	// Begin is called once, just before the first byte, with the schema version the
	// export is served with; it returns where to write and how to flush what was written.
	// An error returned before Begin was called is a problem answer; one after ends the
	// stream (ExportBroken).
	Begin func(version int64) (w io.Writer, flush func())
	// ChunkTimeout bounds the time Postgres may take to give the first rows, and then
	// each chunk of rows (exportChunk bytes), not counting the time the client takes to
	// read them; 0: no bound. The tenant's statement timeout, per chunk.
	ChunkTimeout time.Duration
}

// ExportBroken is an error that came after an export began writing: the answer's status
// and headers are sent, so it can only be ended.
type ExportBroken struct{ Err error }

func (e *ExportBroken) Error() string { return "export broken off: " + e.Err.Error() }

// exportParams are list parameters an export does not take: it reads every row.
var exportParams = [...]string{"limit", "cursor", "expand"}

// Export writes every record a list query q selects (its filters, sort and fields; no
// limit or cursor) in o.Format, from one snapshot: a REPEATABLE READ READ ONLY
// transaction on a connection of the tenant's lane, whose rows pgx reads from the
// socket as they are written out, in chunks, so memory does not grow with the rows. A
// custom role's list rule applies as on the list route. It returns how many records were
// written.
func (s *Service) Export(ctx context.Context, t tenantref.Ref, c Caller, model string, q url.Values, minVersion int64, o ExportOptions) (int64, error) {
	var probs problem.List
	for _, k := range exportParams {
		if q.Has(k) {
			probs = append(probs, problem.Problem{Path: k, Code: problem.NotAllowed,
				Message: "is not a query parameter of an export", Params: map[string]any{"attribute": k}})
		}
	}
	if len(probs) > 0 {
		return 0, apperr.Validation("the query is not valid", probs)
	}
	var n int64
	began := false
	err := s.withRule(ctx, t, c, model, access.List, minVersion, func(ts *Tables, tbl *Table, r *rule) error {
		if r != nil {
			if err := r.refuseNames(tbl, q); err != nil {
				return err
			}
		}
		lq, probs := tbl.ParseList(q)
		if len(probs) > 0 {
			return apperr.Validation("the query is not valid", probs)
		}
		none := false
		if r != nil {
			none, _ = r.narrowList(tbl, c, &lq)
		}
		cols, shown := tbl.listColumns(lq)
		if r != nil && !r.all && len(r.cols) == 0 {
			shown = 0 // id only, selected to have a row to count: nothing readable
		}
		if none { // the rule's filter admits no record for this caller: the header alone
			began = true
			w, flush := o.Begin(ts.Version)
			if _, err := w.Write(exportHeader(nil, o.Format, cols[:shown])); err != nil {
				return &ExportBroken{err}
			}
			flush()
			return nil
		}
		var err error
		n, err = tbl.export(ctx, s.pool(), laneOf(t), lq, cols, shown, ts.Version, o, &began)
		return err
	})
	return n, err
}

// export runs lq in a read-only snapshot on a connection of lane and writes its rows.
func (t *Table) export(ctx context.Context, p onPool, lane string, lq query.List, cols []*column, shown int, version int64, o ExportOptions, began *bool) (int64, error) {
	qctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var timer *time.Timer
	if o.ChunkTimeout > 0 {
		timer = time.AfterFunc(o.ChunkTimeout, func() { cancel(errChunkTimeout) })
		defer timer.Stop()
	}
	fail := func(err error) error {
		if context.Cause(qctx) == errChunkTimeout {
			err = &apperr.Error{Code: apperr.Timeout, Err: err,
				Detail: "the export's rows did not come within the tenant's statement timeout (statement_timeout_ms), which bounds the first rows and each chunk after them"}
		} else {
			err = dbError(err)
		}
		if *began {
			return &ExportBroken{err}
		}
		return err
	}
	conn, err := p.acquireFor(qctx, lane)
	if err != nil {
		return 0, fail(err)
	}
	defer conn.Release()
	tx, err := conn.BeginTx(qctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return 0, fail(err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // read only: nothing to keep
	text, args := t.selectSQL(lq, selectList(cols))
	rows, err := tx.Query(qctx, text, args...)
	if err != nil {
		return 0, fail(err)
	}
	defer rows.Close()
	fields := rows.FieldDescriptions()
	if stale := staleColumn(cols, fields); stale != nil {
		return 0, stale // before the first byte: withRetry reloads the model
	}
	var w io.Writer
	var flush func()
	buf := make([]byte, 0, exportChunk+exportChunk/4)
	start := func() {
		*began = true
		w, flush = o.Begin(version)
	}
	write := func() error {
		if timer != nil {
			timer.Stop() // the client's pace is not the database's
		}
		if w == nil {
			start()
		}
		if _, err := w.Write(buf); err != nil {
			return &ExportBroken{err}
		}
		flush()
		buf = buf[:0]
		if timer != nil {
			timer.Reset(o.ChunkTimeout)
		}
		return nil
	}
	buf = exportHeader(buf, o.Format, cols[:shown])
	var n int64
	var sc wire.Scanner[*column]
	rec := Record{cols: cols[:shown]}
	for rows.Next() {
		if n%exportScanRows == 0 {
			sc = wire.NewScanner(cols, fields, exportScanRows)
		}
		vals, err := sc.Scan(rows.RawValues())
		if err != nil {
			return n, fail(fmt.Errorf("records: %w", err))
		}
		rec.vals = vals[:shown]
		if o.Format == ExportCSV {
			buf = appendCSVRow(buf, rec.vals)
		} else {
			buf = append(rec.AppendJSON(buf), '\n')
		}
		n++
		if len(buf) >= exportChunk {
			if err := write(); err != nil {
				return n, err
			}
		}
	}
	if err := rows.Err(); err != nil {
		return n, fail(err)
	}
	if err := write(); err != nil {
		return n, err
	}
	return n, nil
}

// exportHeader appends CSV's header row of field names (nothing for NDJSON).
func exportHeader(dst []byte, format string, cols []*column) []byte {
	if format != ExportCSV {
		return dst
	}
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = appendCSVField(dst, c.name)
	}
	return append(dst, '\r', '\n')
}

// appendCSVRow appends one record as a CSV row: each value as the list API writes it,
// strings and datetimes without JSON's quotes, json fields as their JSON text; a null is
// an empty field and an empty string "" (fieldtype's CSV cells, which imports read back).
func appendCSVRow(dst []byte, vals []any) []byte {
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch x := v.(type) {
		case nil:
		case *string:
			dst = appendCSVField(dst, *x)
		case string:
			dst = appendCSVField(dst, x)
		case *time.Time:
			start := len(dst) // "…": digits and signs, nothing to quote; unquoted
			dst = jsonenc.AppendTime(dst, *x)
			copy(dst[start:], dst[start+1:len(dst)-1])
			dst = dst[:len(dst)-2]
		case *int64, int64, float64, bool:
			start := len(dst)
			dst = jsonenc.AppendValue(dst, x)
			if string(dst[start:]) == "null" { // NaN and infinities: null, as in JSON
				dst = dst[:start]
			}
		default: // json
			start := len(dst)
			dst = jsonenc.AppendValue(dst, x)
			field := string(dst[start:])
			dst = appendCSVField(dst[:start], field)
		}
	}
	return append(dst, '\r', '\n')
}

// appendCSVField appends s as one CSV field, quoted as fieldtype.CSVQuoted says (an
// empty string included); quotes inside doubled.
func appendCSVField(dst []byte, s string) []byte {
	if !fieldtype.CSVQuoted(s) {
		return append(dst, s...)
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, s[i])
	}
	return append(dst, '"')
}
