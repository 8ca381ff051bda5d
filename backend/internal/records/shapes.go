package records

import "sync"

// A table keeps something per statement shape: a list statement's batcher
// (listbatch.go), a single-row write's text (texts.go). A client chooses the shape, so
// a table keeps at most maxShapes of each; requests of shapes past it do without.
const maxShapes = 256

// shapes is what a table keeps of one kind, by shape key.
type shapes[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

// lookup returns what is kept for key. key does not escape, so a key converted from
// bytes costs no allocation.
func (s *shapes[V]) lookup(key string) (V, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.m[key]
	return v, ok
}

// keep keeps v for key and returns it, or returns what another call kept for key
// first; kept is false, and v not kept, when the table keeps maxShapes already.
func (s *shapes[V]) keep(key string, v V) (_ V, kept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[key]; ok {
		return old, true
	}
	if len(s.m) >= maxShapes {
		return v, false
	}
	if s.m == nil {
		s.m = make(map[string]V)
	}
	s.m[key] = v
	return v, true
}
