package meta_test

import (
	"testing"

	"forma.dev/backend/internal/meta"
	"forma.dev/shared/schema"
)

func TestAssignIDs(t *testing.T) {
	cur := []schema.Model{{Name: "event", Fields: []schema.Field{{ID: "keepme", Name: "a", Type: "text"}}}}
	next := []schema.Model{{Name: "event", Fields: []schema.Field{
		{Name: "a", Type: "text"}, {Name: "b", Type: "text"}, {ID: `bad"id`, Name: "c", Type: "text"},
	}}}
	meta.AssignIDs(cur, next)
	problems := meta.CheckIDs(next[0])
	f := next[0].Fields
	if f[0].ID != "keepme" {
		t.Errorf("a field sent without an id lost its id: %q", f[0].ID)
	}
	if len(f[1].ID) != 10 || f[1].ID == f[0].ID {
		t.Errorf("new field got id %q", f[1].ID)
	}
	if len(problems) != 1 || problems[0].Path != "fields[2].id" {
		t.Errorf("problems: %v", problems)
	}
	if a, b := meta.NewID(), meta.NewID(); a == b {
		t.Error("two ids alike")
	}
}
