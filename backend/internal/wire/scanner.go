package wire

import (
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Column is what a Scanner needs of a column.
type Column interface {
	Name() string
	Kind() Kind
}

// Scanner reads the rows of one query from pgx's raw values. Value lists, and int64,
// string and time values, are carved from slabs sized for the rows the query expects
// (hint): a few allocations per query rather than a dozen per row. A slab value is held
// as a pointer (*int64, *string, *time.Time); Deref gives the value.
type Scanner[C Column] struct {
	cols   []C
	fields []pgconn.FieldDescription
	hint   int // rows expected; more are read all the same
	rows   int
	vals   []any
	ints   slab[int64]
	strs   slab[string]
	times  slab[time.Time]
}

// NewScanner returns a scanner of rows of cols, sent as fields; hint is how many rows
// the query should return. It is a value, so that a caller can keep it on its stack.
func NewScanner[C Column](cols []C, fields []pgconn.FieldDescription, hint int) Scanner[C] {
	s := Scanner[C]{cols: cols, fields: fields, hint: hint}
	for _, c := range cols {
		switch c.Kind() {
		case Int:
			s.ints.perRow++
		case Text:
			s.strs.perRow++
		case Time:
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

// FirstChunk caps the rows a query's first chunks are sized for: a list's hint is its
// limit, which a filtered page may come far short of.
const FirstChunk = 64

// RowsLeft is how many rows a new chunk is sized for: those still expected (at most
// FirstChunk before the first row is read), or one.
func (s *Scanner[C]) RowsLeft() int {
	left := max(s.hint-s.rows, 1)
	if s.rows == 0 {
		return min(left, FirstChunk)
	}
	return left
}

// Scan decodes one row's raw values (valid only until the next row: nothing keeps
// them) into a value list, in column order.
func (s *Scanner[C]) Scan(raw [][]byte) ([]any, error) {
	if len(raw) != len(s.cols) {
		return nil, fmt.Errorf("%d columns read, %d expected", len(raw), len(s.cols))
	}
	n := len(s.cols)
	if len(s.vals)+n > cap(s.vals) {
		s.vals = make([]any, 0, n*s.RowsLeft())
	}
	vals := s.vals[len(s.vals) : len(s.vals)+n : len(s.vals)+n]
	s.vals = s.vals[:len(s.vals)+n]
	for i, c := range s.cols {
		v, err := s.value(c.Kind(), s.fields[i], raw[i])
		if err != nil {
			return nil, fmt.Errorf("column %s: %w", c.Name(), err)
		}
		vals[i] = v
	}
	s.rows++
	return vals, nil
}

// value decodes one value into what a row holds, in a slab where its kind has one.
func (s *Scanner[C]) value(kind Kind, f pgconn.FieldDescription, b []byte) (any, error) {
	if b == nil {
		return nil, nil
	}
	switch kind {
	case Int:
		n, err := DecodeInt(f, b)
		if err != nil {
			return nil, err
		}
		return s.ints.put(n, s.RowsLeft()), nil
	case Time:
		t, inf, err := decodeTime(f, b)
		if err != nil || inf != "" {
			return inf, err
		}
		return s.times.put(t, s.RowsLeft()), nil
	case Float:
		return decodeFloat(f, b)
	case Bool:
		return decodeBool(f, b)
	case JSON:
		return decodeJSON(f, b), nil
	}
	return s.strs.put(string(b), s.RowsLeft()), nil
}

// Deref turns a value held in a slab into the value itself.
func Deref(v any) any {
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
