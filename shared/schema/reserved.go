package schema

import "sort"

// ReservedWords lists, sorted, the key words that Postgres reserves: those marked
// "reserved" or "reserved (can be function or type)" in the SQL Key Words appendix of
// the Postgres documentation (RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD in kwlist.h).
var ReservedWords = []string{
	"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric",
	"authorization", "binary", "both", "case", "cast", "check", "collate", "collation",
	"column", "concurrently", "constraint", "create", "cross", "current_catalog",
	"current_date", "current_role", "current_schema", "current_time", "current_timestamp",
	"current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end",
	"except", "false", "fetch", "for", "foreign", "freeze", "from", "full", "grant",
	"group", "having", "ilike", "in", "initially", "inner", "intersect", "into", "is",
	"isnull", "join", "lateral", "leading", "left", "like", "limit", "localtime",
	"localtimestamp", "natural", "not", "notnull", "null", "offset", "on", "only", "or",
	"order", "outer", "overlaps", "placing", "primary", "references", "returning", "right",
	"select", "session_user", "similar", "some", "symmetric", "system_user", "table",
	"tablesample", "then", "to", "trailing", "true", "union", "unique", "user", "using",
	"variadic", "verbose", "when", "where", "window", "with",
}

// IsReserved tells whether name is a Postgres reserved word (name must be lower case).
func IsReserved(name string) bool {
	i := sort.SearchStrings(ReservedWords, name)
	return i < len(ReservedWords) && ReservedWords[i] == name
}
