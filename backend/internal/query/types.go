package query

import "forma.dev/shared/fieldtype"

// lookupOrder is the fixed order in which Lookups lists a type's lookups.
var lookupOrder = []Lookup{Eq, Ne, Lt, Lte, Gt, Gte, In, Contains, IContains, StartsWith, IsNull}

// typeFacts is what the query language takes from a field type's description.
type typeFacts struct {
	lookups  LookupSet
	sortable bool
}

// byType holds the facts of every registered type whose lookups the language knows.
var byType = func() map[string]typeFacts {
	out := map[string]typeFacts{}
	for _, t := range fieldtype.All() {
		d := t.Describe()
		if lookups, ok := LookupSetOf(d.Lookups); ok {
			out[t.Name()] = typeFacts{lookups: lookups, sortable: d.Sortable}
		}
	}
	return out
}()

// Lookups returns the lookup suffixes that list filters accept on a field of the given
// type, in a fixed order: "" (equality, "?name=v"), then "ne", "lt", "lte", "gt", "gte",
// "in", "contains", "icontains", "startswith", "isnull" as far as the type supports them.
func Lookups(fieldType string) []string {
	names := make(map[Lookup]string, len(lookupNames))
	for name, l := range lookupNames {
		names[l] = name
	}
	set := byType[fieldType].lookups
	var out []string
	for _, l := range lookupOrder {
		if set.Has(l) {
			out = append(out, names[l])
		}
	}
	return out
}

// Sortable tells whether a list may be sorted by a field of the given type.
func Sortable(fieldType string) bool { return byType[fieldType].sortable }

// ListParameter tells whether a query parameter of a list request is one of its own
// (sort, limit, cursor, fields, expand) rather than a filter.
func ListParameter(name string) bool { return reserved[name] }
