package records

import "forma.dev/backend/internal/batch"

// A single-row insert or update sends one statement text per set of columns it writes,
// and most requests to a model write the same few sets, so a table builds each text
// once and keeps it (at most batch.MaxShapes; past that, texts are built per request).

// statementTexts are a table's kept statement texts, by shape key.
type statementTexts struct{ batch.Store[string] }

// shapeKey names a statement by its kind and the columns it writes: a bit per column.
// It is built on the stack for tables of up to 256 columns, so a lookup allocates nothing.
type shapeKey struct {
	buf [33]byte
	n   int
}

func newShapeKey(kind byte, cols []*column) shapeKey {
	var k shapeKey
	k.buf[0], k.n = kind, 1
	for _, c := range cols {
		i := 1 + c.pos/8
		if i >= len(k.buf) {
			k.n = 0 // too wide to key: never kept
			return k
		}
		k.buf[i] |= 1 << (c.pos % 8)
		k.n = max(k.n, i+1)
	}
	return k
}

// text returns the statement of key, built by build the first time.
func (s *statementTexts) text(k shapeKey, build func() string) string {
	if k.n == 0 {
		return build()
	}
	if text, ok := s.Lookup(string(k.buf[:k.n])); ok {
		return text
	}
	text, _ := s.Keep(string(k.buf[:k.n]), build())
	return text
}
