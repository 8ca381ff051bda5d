package records

import "testing"

// TestTogether: the reasons a call goes alone, each on its own.
func TestTogether(t *testing.T) {
	t.Parallel()
	for _, s := range []struct {
		name                  string
		kind                  callKind
		inTx, separateCommits bool
		want                  bool
	}{
		{"a read on the pool", aRead, false, false, true},
		{"a read on the pool, separate commits", aRead, false, true, true},
		{"a read in a transaction", aRead, true, false, false},
		{"a create on the pool", aCreate, false, false, true},
		{"a create in a transaction", aCreate, true, false, false},
		{"a create, separate commits", aCreate, false, true, false},
		{"a bulk write", aBulk, false, false, false},
	} {
		if got := together(s.kind, s.inTx, s.separateCommits); got != s.want {
			t.Errorf("%s: together %v, want %v", s.name, got, s.want)
		}
	}
}
