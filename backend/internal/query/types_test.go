package query_test

import (
	"slices"
	"testing"

	"forma.dev/backend/internal/query"
)

func TestLookups(t *testing.T) {
	scenarios := []struct {
		typ  string
		want []string
	}{
		{"text", []string{"", "ne", "lt", "lte", "gt", "gte", "in", "contains", "icontains", "startswith", "isnull"}},
		{"integer", []string{"", "ne", "lt", "lte", "gt", "gte", "in", "isnull"}},
		{"boolean", []string{"", "ne", "in", "isnull"}},
		{"json", []string{"isnull"}},
	}
	for _, s := range scenarios {
		if got := query.Lookups(s.typ); !slices.Equal(got, s.want) {
			t.Errorf("Lookups(%s) = %q, want %q", s.typ, got, s.want)
		}
	}
}
