package query

// Lookup is a Django-style filter lookup: the part after "__" in "value__gte".
type Lookup uint8

// The lookups.
const (
	Eq Lookup = iota
	Ne
	Lt
	Lte
	Gt
	Gte
	In
	Contains
	IContains
	StartsWith
	IsNull
)

var lookupNames = map[string]Lookup{
	"": Eq, "ne": Ne, "lt": Lt, "lte": Lte, "gt": Gt,
	"gte": Gte, "in": In, "contains": Contains,
	"icontains": IContains, "startswith": StartsWith, "isnull": IsNull,
}

// LookupSet is the set of lookups a field type supports.
type LookupSet uint16

// Has reports whether l is in the set.
func (s LookupSet) Has(l Lookup) bool { return s&(1<<l) != 0 }

// LookupSetOf is the set of the lookups named; ok is false when one is unknown.
func LookupSetOf(names []string) (s LookupSet, ok bool) {
	for _, name := range names {
		l, known := lookupNames[name]
		if !known {
			return 0, false
		}
		s |= 1 << l
	}
	return s, true
}

// LookupOf returns the lookup of a filter suffix ("" for equality, "gte", "in", ...).
func LookupOf(name string) (Lookup, bool) {
	l, ok := lookupNames[name]
	return l, ok
}
