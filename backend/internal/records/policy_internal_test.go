package records

import (
	"testing"

	"forma.dev/shared/access"
	"forma.dev/shared/schema"
)

// TestRulesAreCompiledOncePerVersion: a role's rule is compiled against a table once and
// kept with it; another version's role (another *access.Stored) gets its own.
func TestRulesAreCompiledOncePerVersion(t *testing.T) {
	t.Parallel()
	tbl, err := Compile("t_x", schema.Model{Name: "post", Fields: []schema.Field{{ID: "f1", Name: "title", Type: "text"}}})
	if err != nil {
		t.Fatal(err)
	}
	role := func() *access.Stored {
		return &access.Stored{Permissions: map[string]map[access.Action]*access.StoredRule{
			"post": {access.List: {Filter: []access.Condition{{Field: "f1", Value: "a"}}, Fields: &access.Fields{Names: []string{"f1"}}}},
		}}
	}
	v1 := &Tables{Roles: map[string]*access.Stored{"r": role()}}
	v2 := &Tables{Roles: map[string]*access.Stored{"r": role()}}
	c := Caller{Role: "r"}
	a, _ := tbl.rule(v1, c, access.List)
	b, _ := tbl.rule(v1, c, access.List)
	other, _ := tbl.rule(v2, c, access.List)
	if a == nil || a != b {
		t.Errorf("the same version's rule compiled twice: %p %p", a, b)
	}
	if other == a {
		t.Error("another version's role got this version's rule")
	}
	if _, err := tbl.rule(v1, c, access.Get); err == nil {
		t.Error("an action the role does not list was allowed")
	}
	for range maxRules + 10 {
		_, _ = tbl.rule(&Tables{Roles: map[string]*access.Stored{"r": role()}}, c, access.List)
	}
	if n := tbl.rules.n.Load(); n > maxRules {
		t.Errorf("%d rules kept, at most %d", n, maxRules)
	}
}
