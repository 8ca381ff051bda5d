package batch_test

import (
	"strconv"
	"testing"

	"forma.dev/backend/internal/batch"
)

// TestStoreIsBounded: a store keeps the first value for a key, and nothing past MaxShapes.
func TestStoreIsBounded(t *testing.T) {
	t.Parallel()
	var s batch.Store[int]
	for i := range batch.MaxShapes {
		if v, kept := s.Keep(strconv.Itoa(i), i); !kept || v != i {
			t.Fatalf("key %d: %d %v", i, v, kept)
		}
	}
	if v, kept := s.Keep("0", 99); !kept || v != 0 {
		t.Errorf("a kept key: %d %v, want the first value", v, kept)
	}
	if _, kept := s.Keep("one more", 1); kept {
		t.Error("a key past MaxShapes was kept")
	}
	if v, ok := s.Lookup("7"); !ok || v != 7 || s.Len() != batch.MaxShapes {
		t.Errorf("Lookup 7: %d %v; Len %d", v, ok, s.Len())
	}
}
