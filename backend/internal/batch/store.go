package batch

import "sync"

// MaxShapes bounds a Store. Callers keep something per statement shape (a list
// statement's batcher, a single-row write's text), and a client chooses the shape, so
// requests of shapes past the bound do without.
const MaxShapes = 256

// Store is what a caller keeps of one kind, by shape key, at most MaxShapes of it. The
// zero Store is empty and ready.
type Store[V any] struct {
	mu sync.RWMutex
	m  map[string]V
}

// Lookup returns what is kept for key. key does not escape, so a key converted from
// bytes costs no allocation.
func (s *Store[V]) Lookup(key string) (V, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.m[key]
	return v, ok
}

// Keep keeps v for key and returns it, or returns what another call kept for key
// first; kept is false, and v not kept, when the store holds MaxShapes already.
func (s *Store[V]) Keep(key string, v V) (_ V, kept bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.m[key]; ok {
		return old, true
	}
	if len(s.m) >= MaxShapes {
		return v, false
	}
	if s.m == nil {
		s.m = make(map[string]V)
	}
	s.m[key] = v
	return v, true
}

// Len is how many shapes the store keeps.
func (s *Store[V]) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.m)
}
