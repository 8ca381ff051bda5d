package records

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"

	"forma.dev/shared/schema"
)

// copy writes the rows with one COPY on tx, fed as they are read and validated, and
// answers how many it wrote. Every field but the automatic ones is a column of the
// COPY: a row that lacks one gets its default, or null, as an insert would.
func (imp *importer) copy(ctx context.Context, tx pgx.Tx) (int64, error) {
	t := imp.tbl
	src := &importCopy{imp: imp}
	var names []string
	for _, c := range t.columns[len(schema.SystemColumns):] {
		if f, ok := t.validator.Field(c.name); ok && (f.AutoNow || f.AutoNowAdd) {
			continue
		}
		var fill any
		if f, ok := t.validator.Field(c.name); ok && f.HasDefault {
			fill = copyValue(c, f.Default)
		}
		src.cols, src.fills, names = append(src.cols, c), append(src.fills, fill), append(names, c.name)
	}
	for _, c := range t.autoOnCreate {
		names = append(names, c.name)
	}
	src.auto = len(t.autoOnCreate)
	if src.auto > 0 {
		if err := queryRow(ctx, tx, "SELECT now()", nil, &src.now); err != nil {
			return 0, dbError(err)
		}
	}
	if len(names) == 0 { // a model of automatic fields only: nothing to copy, insert
		return imp.insert(ctx, tx, false)
	}
	src.vals = make([]any, len(names))
	n, err := tx.CopyFrom(ctx, t.ident, names, src)
	if src.err != nil { // the source ended the COPY: its error, not Postgres' echo of it
		return 0, src.err
	}
	if err != nil {
		if copyUnencodable(err) {
			return 0, &staleRows{column: "(a column of the copy)"}
		}
		return 0, dbError(err)
	}
	return n, nil
}

// importCopy is the rows of an import's COPY, as pgx reads them: each field column (a
// row that lacks one gets its fill), then now() for each automatic field. pgx encodes
// a row before it asks for the next, so vals and the row are reused.
type importCopy struct {
	imp   *importer
	cols  []*column
	fills []any
	now   time.Time
	auto  int
	row   map[string]any
	vals  []any
	sent  int64
	err   error
}

func (s *importCopy) Next() bool {
	s.row, s.err = s.imp.next()
	if s.row == nil {
		return false
	}
	if s.sent++; s.sent%importChunk == 0 {
		s.imp.clock.chunk()
	}
	return true
}

func (s *importCopy) Values() ([]any, error) {
	k := 0
	for j, c := range s.cols {
		if v, ok := s.row[c.name]; ok {
			s.vals[k] = copyValue(c, v)
		} else {
			s.vals[k] = s.fills[j]
		}
		k++
	}
	for range s.auto {
		s.vals[k] = s.now
		k++
	}
	return s.vals, nil
}

func (s *importCopy) Err() error { return s.err }
