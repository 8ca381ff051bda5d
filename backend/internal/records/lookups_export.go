package records

// lookupOrder is the fixed order in which Lookups lists a type's lookups.
var lookupOrder = []lookup{
	lookupEq, lookupNe, lookupLt, lookupLte, lookupGt, lookupGte,
	lookupIn, lookupContains, lookupIContains, lookupStartsWith, lookupIsNull,
}

// Lookups returns the lookup suffixes that list filters accept on a field of the given
// type, in a fixed order: "" (equality, "?name=v"), then "ne", "lt", "lte", "gt", "gte",
// "in", "contains", "icontains", "startswith", "isnull" as far as the type supports them.
func Lookups(fieldType string) []string {
	names := make(map[lookup]string, len(lookupNames))
	for name, l := range lookupNames {
		names[l] = name
	}
	set := factsByType[fieldType].lookups
	var out []string
	for _, l := range lookupOrder {
		if set.has(l) {
			out = append(out, names[l])
		}
	}
	return out
}

// Sortable tells whether a list may be sorted by a field of the given type.
func Sortable(fieldType string) bool { return factsByType[fieldType].sortable }

// ListParameter tells whether a query parameter of a list request is one of its own
// (sort, limit, cursor, fields, expand) rather than a filter.
func ListParameter(name string) bool { return reserved[name] }
