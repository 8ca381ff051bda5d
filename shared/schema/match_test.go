package schema_test

import (
	"fmt"
	"slices"
	"testing"

	"forma.dev/shared/schema"
)

func TestMatchFields(t *testing.T) {
	old := []schema.Field{{ID: "1", Name: "a"}, {ID: "2", Name: "b"}, {Name: "c"}, {ID: "4", Name: "d"}}
	next := []schema.Field{
		{ID: "2", Name: "a"}, // b renamed to a
		{Name: "c"},          // c by name
		{Name: "d"},          // d by name: claimed by no id
		{ID: "9", Name: "e"}, // unknown id: new
		{ID: "1", Name: "b"}, // a renamed to b
	}
	if got, want := schema.MatchFields(old, next), []int{1, 2, 3, -1, 0}; !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	claimed := []schema.Field{{Name: "a"}, {ID: "1", Name: "z"}}
	if got, want := schema.MatchFields(old, claimed), []int{-1, 0}; !slices.Equal(got, want) {
		t.Errorf("a name whose old field's id is claimed must not match: got %v", got)
	}
}

func TestAssignIDs(t *testing.T) {
	old := &schema.Model{Fields: []schema.Field{{ID: "1", Name: "a"}, {ID: "2", Name: "b"}}}
	next := &schema.Model{Fields: []schema.Field{{Name: "b"}, {Name: "new"}, {ID: "1", Name: "x"}}}
	n := 0
	schema.AssignIDs(old, next, func() string { n++; return fmt.Sprint("gen", n) })
	var ids []string
	for _, f := range next.Fields {
		ids = append(ids, f.ID)
	}
	if want := []string{"2", "gen1", "1"}; !slices.Equal(ids, want) {
		t.Errorf("got %v, want %v", ids, want)
	}
}

func TestSortedFields(t *testing.T) {
	m := schema.Model{Fields: []schema.Field{{Name: "c", Order: 2}, {Name: "a", Order: 1}, {Name: "b", Order: 2}}}
	var names []string
	for _, f := range schema.SortedFields(m) {
		names = append(names, f.Name)
	}
	if want := []string{"a", "c", "b"}; !slices.Equal(names, want) {
		t.Errorf("got %v", names)
	}
}
