package records

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"forma.dev/shared/fieldtype"
)

// scanKind says how a column is read back from Postgres and written as JSON.
type scanKind uint8

const (
	scanText scanKind = iota // read as text: the wires text and text_cast
	scanInt
	scanFloat
	scanBool
	scanTime
	scanJSON
)

// scanKinds decodes each wire kind of fieldtype; a wire kind missing here is a type
// records cannot serve (TestEveryType).
var scanKinds = map[fieldtype.Wire]scanKind{
	fieldtype.WireText: scanText, fieldtype.WireTextCast: scanText, fieldtype.WireInteger: scanInt,
	fieldtype.WireFloat: scanFloat, fieldtype.WireBoolean: scanBool, fieldtype.WireTimestamp: scanTime,
	fieldtype.WireJSON: scanJSON,
}

// selectExpr is the column as the select list reads it: types whose canonical JSON
// form is Postgres' own text form are cast to text, so no conversion runs in Go.
func selectExpr(c *column) string {
	if c.cast {
		return c.quoted + "::text AS " + c.quoted
	}
	return c.quoted
}

// Record is one row, in column order; it marshals to a JSON object in that order.
// Values are nil, int64, float64, bool, string, time.Time (datetime columns, UTC),
// "infinity" or "-infinity" (datetimes only SQL can store), json.RawMessage (json
// columns), or a *Record put in by expand. Rows read from Postgres hold their int64,
// string and time.Time values as pointers into slabs shared by the rows of one query,
// so that a value costs no allocation of its own; Get hides that.
type Record struct {
	cols []*column
	vals []any
}

// Get returns the value of a column and whether the record holds it.
func (r *Record) Get(name string) (any, bool) {
	for i, c := range r.cols {
		if c.name == name {
			return deref(r.vals[i]), true
		}
	}
	return nil, false
}

// deref turns a value held in a slab into the value itself.
func deref(v any) any {
	switch p := v.(type) {
	case *int64:
		return *p
	case *string:
		return *p
	case *time.Time:
		return *p
	}
	return v
}

func (r *Record) set(name string, v any) {
	for i, c := range r.cols {
		if c.name == name {
			r.vals[i] = v
		}
	}
}

// rowScanner reads the rows of one query from pgx's raw values: each column is decoded
// by its kind from the wire format Postgres sent, with no scan plan or holder per
// column. Records, their value lists, and int64, string and time values are carved
// from slabs sized for the rows the query expects (hint), a few allocations per query
// rather than a dozen per row.
type rowScanner struct {
	cols   []*column
	fields []pgconn.FieldDescription
	hint   int // rows expected; more are read all the same
	rows   int
	recs   []Record
	vals   []any
	ints   slab[int64]
	strs   slab[string]
	times  slab[time.Time]
}

func newRowScanner(cols []*column, fields []pgconn.FieldDescription, hint int) *rowScanner {
	s := &rowScanner{cols: cols, fields: fields, hint: hint}
	for _, c := range cols {
		switch c.kind {
		case scanInt:
			s.ints.perRow++
		case scanText:
			s.strs.perRow++
		case scanTime:
			s.times.perRow++
		}
	}
	return s
}

// slab hands out values of one kind from chunks sized for the rows still expected.
type slab[T any] struct {
	perRow int
	items  []T
}

func (b *slab[T]) put(v T, rowsLeft int) *T {
	if len(b.items) == cap(b.items) {
		b.items = make([]T, 0, b.perRow*rowsLeft)
	}
	b.items = append(b.items, v)
	return &b.items[len(b.items)-1]
}

// firstChunk caps the rows a query's first chunks are sized for: a list's hint is its
// limit, which a filtered page may come far short of.
const firstChunk = 64

// rowsLeft is how many rows a new chunk is sized for: those still expected (at most
// firstChunk before the first row is read), or one.
func (s *rowScanner) rowsLeft() int {
	left := max(s.hint-s.rows, 1)
	if s.rows == 0 {
		return min(left, firstChunk)
	}
	return left
}

func (s *rowScanner) scan(raw [][]byte) (*Record, error) {
	if len(raw) != len(s.cols) {
		return nil, fmt.Errorf("records: %d columns read, %d expected", len(raw), len(s.cols))
	}
	if len(s.recs) == cap(s.recs) {
		s.recs = make([]Record, 0, s.rowsLeft())
	}
	n := len(s.cols)
	if len(s.vals)+n > cap(s.vals) {
		s.vals = make([]any, 0, n*s.rowsLeft())
	}
	vals := s.vals[len(s.vals) : len(s.vals)+n : len(s.vals)+n]
	s.vals = s.vals[:len(s.vals)+n]
	for i, c := range s.cols {
		v, err := s.value(c.kind, s.fields[i], raw[i])
		if err != nil {
			return nil, fmt.Errorf("records: column %s: %w", c.name, err)
		}
		vals[i] = v
	}
	s.rows++
	s.recs = append(s.recs, Record{cols: s.cols, vals: vals})
	return &s.recs[len(s.recs)-1], nil
}

// value decodes one value as Postgres sent it (b is only valid until the next row, so
// nothing keeps it) into what a Record holds, in a slab where its kind has one.
func (s *rowScanner) value(kind scanKind, f pgconn.FieldDescription, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	switch kind {
	case scanInt:
		n, err := decodeInt(f, b)
		if err != nil {
			return nil, err
		}
		return s.ints.put(n, s.rowsLeft()), nil
	case scanTime:
		t, inf, err := decodeTime(f, b)
		if err != nil || inf != "" {
			return inf, err
		}
		return s.times.put(t, s.rowsLeft()), nil
	case scanFloat:
		return decodeFloat(f, b)
	case scanBool:
		return decodeBool(f, b)
	case scanJSON:
		return decodeJSON(f, b), nil
	}
	return s.strs.put(string(b), s.rowsLeft()), nil
}
