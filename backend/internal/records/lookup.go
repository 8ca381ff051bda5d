package records

// lookup is a Django-style filter lookup: the part after "__" in "value__gte".
type lookup uint8

const (
	lookupEq lookup = iota
	lookupNe
	lookupLt
	lookupLte
	lookupGt
	lookupGte
	lookupIn
	lookupContains
	lookupIContains
	lookupStartsWith
	lookupIsNull
)

var lookupNames = map[string]lookup{
	"": lookupEq, "ne": lookupNe, "lt": lookupLt, "lte": lookupLte, "gt": lookupGt,
	"gte": lookupGte, "in": lookupIn, "contains": lookupContains,
	"icontains": lookupIContains, "startswith": lookupStartsWith, "isnull": lookupIsNull,
}

// comparison holds the SQL operator of the lookups that compare one value.
var comparison = map[lookup]string{
	lookupEq: "=", lookupNe: "<>", lookupLt: "<", lookupLte: "<=", lookupGt: ">", lookupGte: ">=",
}

// lookupSet is the set of lookups a field type supports.
type lookupSet uint16

func (s lookupSet) has(l lookup) bool { return s&(1<<l) != 0 }

func setOf(ls ...lookup) lookupSet {
	var s lookupSet
	for _, l := range ls {
		s |= 1 << l
	}
	return s
}

// lookupSetOf is the set of the lookups named; ok is false when one is unknown.
func lookupSetOf(names []string) (s lookupSet, ok bool) {
	for _, name := range names {
		l, known := lookupNames[name]
		if !known {
			return 0, false
		}
		s |= setOf(l)
	}
	return s, true
}
