package records

import (
	"context"
	"fmt"
	"runtime/debug"

	"github.com/jackc/pgx/v5"

	"forma.dev/shared/schema"
)

// copyChunk is how many rows an import copies in one COPY statement: the foreign keys
// of a COPY's rows are checked at its end, so that each chunk's statement timeout covers
// its own checks, and Postgres' queue of pending checks stays bounded.
const copyChunk = 50_000

// copy writes the rows with one COPY of copyChunk rows after another on tx, fed as they
// are read and validated, and answers how many it wrote. Every field but the automatic
// ones is a column of the COPY: a row that lacks one gets its default, or null, as an
// insert would.
func (imp *importer) copy(ctx context.Context, tx pgx.Tx) (int64, error) {
	t := imp.tbl
	var cols []*column
	for _, c := range t.columns[len(schema.SystemColumns):] {
		if f, ok := t.validator.Field(c.name); !ok || !f.AutoNow && !f.AutoNowAdd {
			cols = append(cols, c)
		}
	}
	if len(cols)+len(t.autoOnCreate) == 0 { // a model of no fields: nothing to copy, insert
		return imp.insert(ctx, tx, false)
	}
	layout, err := t.copyLayout(ctx, tx, cols)
	if err != nil {
		return 0, err
	}
	src := &importCopy{copyLayout: layout, imp: imp}
	var total int64
	for !src.ended {
		imp.clock.chunk()
		src.inChunk = 0
		n, err := tx.CopyFrom(ctx, t.ident, layout.names, src)
		if src.err != nil { // the source ended the COPY: its error, not Postgres' echo of it
			return 0, src.err
		}
		if err != nil {
			if copyUnencodable(err) {
				return 0, &staleRows{column: "(a column of the copy)"}
			}
			return 0, dbError(err)
		}
		total += n
	}
	return total, nil
}

// importCopy is the rows of an import's COPY, as pgx reads them: each field column (a
// row that lacks one gets its fill), then now() for each automatic field. pgx encodes
// a row before it asks for the next, so vals and the row are reused. It ends a COPY
// after copyChunk rows (ended false: another follows). pgx calls it on a goroutine of
// its own: a panic there is recovered as its error, not left to end the process.
type importCopy struct {
	*copyLayout
	imp     *importer
	row     map[string]any
	inChunk int
	ended   bool // the body's rows are all read
	err     error
}

func (s *importCopy) Next() (more bool) {
	if s.inChunk == copyChunk {
		return false
	}
	defer func() {
		if p := recover(); p != nil {
			more, _ = false, s.panicked(p)
		}
	}()
	s.row, s.err = s.imp.next()
	if s.row == nil {
		s.ended = true
		return false
	}
	s.inChunk++
	return true
}

func (s *importCopy) Values() (vals []any, err error) {
	defer func() {
		if p := recover(); p != nil {
			vals, err = nil, s.panicked(p)
		}
	}()
	return s.values(s.row), nil
}

func (s *importCopy) Err() error { return s.err }

// panicked makes a panic of Next or Values the source's error, which ends the COPY
// (pgx checks Err after each row).
func (s *importCopy) panicked(p any) error {
	s.err, s.ended = fmt.Errorf("records: an import's row panicked: %v\n%s", p, debug.Stack()), true
	return s.err
}
