package records

import "sync"

// A single-row insert or update sends one statement text per set of columns it writes,
// and most requests to a model write the same few sets, so a table builds each text
// once and keeps it. A client chooses the set, so a table keeps at most
// maxStatementShapes texts; past that, texts are built per request.
const maxStatementShapes = 256

// statementTexts are a table's kept statement texts, by shape key.
type statementTexts struct {
	mu    sync.RWMutex
	texts map[string]string
}

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
	key := k.buf[:k.n]
	s.mu.RLock()
	text, ok := s.texts[string(key)]
	s.mu.RUnlock()
	if ok {
		return text
	}
	text = build()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.texts) < maxStatementShapes {
		if s.texts == nil {
			s.texts = make(map[string]string)
		}
		s.texts[string(key)] = text
	}
	return text
}
