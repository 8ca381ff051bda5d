package plan

import "testing"

// TestRank checks that every kind has a place in a plan, in the order Kinds lists.
func TestRank(t *testing.T) {
	if len(rank) != len(Kinds) {
		t.Fatalf("%d ranks for %d kinds", len(rank), len(Kinds))
	}
	for i, k := range Kinds {
		r, ok := rank[k]
		if !ok || i > 0 && r < rank[Kinds[i-1]] {
			t.Errorf("%s: rank %d out of order", k, r)
		}
	}
}
