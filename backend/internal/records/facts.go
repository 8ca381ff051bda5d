package records

import (
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/wire"
	"forma.dev/shared/fieldtype"
)

// facts is what records makes of a field type's description, once per type: columns
// copy them when a table is compiled, so no request looks a type up.
type facts struct {
	kind     wire.Kind
	cast     bool // read as text by the select list (selectExpr)
	lookups  query.LookupSet
	sortable bool
	relation bool
}

// factsByType holds the facts of every registered type records can serve.
var factsByType = factsOfTypes()

func factsOfTypes() map[string]facts {
	out := map[string]facts{}
	for _, t := range fieldtype.All() {
		if f, ok := factsOf(t.Describe()); ok {
			out[t.Name()] = f
		}
	}
	return out
}

// factsOf reads a description; ok is false when records lacks something it needs (a
// decoder for its wire kind, a lookup it names).
func factsOf(d fieldtype.Description) (facts, bool) {
	kind, okKind := wire.KindOf(d.Wire)
	lookups, okLookups := query.LookupSetOf(d.Lookups)
	return facts{
		kind: kind, cast: d.Wire == fieldtype.WireTextCast, lookups: lookups,
		sortable: d.Sortable, relation: d.Relation,
	}, okKind && okLookups
}
