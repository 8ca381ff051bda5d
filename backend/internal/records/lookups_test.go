package records_test

import (
	"net/url"
	"slices"
	"testing"

	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/records"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// TestLookupsParse checks that every lookup Lookups names is one ParseList accepts.
func TestLookupsParse(t *testing.T) {
	for _, typ := range fieldtype.All() {
		f := schema.Field{Name: "f", Type: typ.Name()}
		if typ.Describe().Relation {
			f.RelatedModel = "m"
		}
		tbl, err := records.Compile("t_x", schema.Model{Name: "m", Fields: []schema.Field{f}})
		if err != nil {
			t.Fatal(err)
		}
		for _, lk := range query.Lookups(typ.Name()) {
			key := "f"
			if lk != "" {
				key += "__" + lk
			}
			if _, probs := tbl.ParseList(url.Values{key: {""}}); slices.ContainsFunc(probs, func(p problem.Problem) bool {
				return p.Code == "unknown_lookup" || p.Code == "unknown_field"
			}) {
				t.Errorf("%s: %s refused: %v", typ.Name(), key, probs)
			}
		}
		if !query.ListParameter("sort") || query.ListParameter("f") {
			t.Error("ListParameter")
		}
	}
}
