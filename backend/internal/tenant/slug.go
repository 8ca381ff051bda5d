package tenant

import (
	"regexp"
	"strconv"

	"forma.dev/shared/problem"
)

// MaxSlugLen is the longest slug accepted, in bytes; t<id>_<slug> stays under
// Postgres's 63-byte identifier limit (1 + 19 digits + 1 + 40 = 61).
const MaxSlugLen = 40

var slugPattern = regexp.MustCompile(`^[a-z][a-z0-9_]*$`)

// reserved are slugs that would be confusing or unsafe as tenant names: words of
// Forma's own API and Postgres's reserved key words.
var reserved = map[string]bool{}

func init() {
	for _, w := range []string{
		// Forma and Postgres names.
		"admin", "api", "forma", "platform", "public", "system", "tenant", "tenants", "root",
		"postgres", "pg", "information_schema", "default", "template0", "template1",
		// Postgres reserved key words (SQL Key Words appendix, "reserved" in PostgreSQL).
		"all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both",
		"case", "cast", "check", "collate", "column", "constraint", "create", "current_catalog",
		"current_date", "current_role", "current_time", "current_timestamp", "current_user",
		"deferrable", "desc", "distinct", "do", "else", "end", "except", "false", "fetch", "for",
		"foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
		"lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset",
		"on", "only", "or", "order", "placing", "primary", "references", "returning", "select",
		"session_user", "some", "symmetric", "system_user", "table", "then", "to", "trailing",
		"true", "union", "unique", "user", "using", "variadic", "when", "where", "window", "with",
	} {
		reserved[w] = true
	}
}

// ValidateSlug returns every problem with slug as a tenant slug.
func ValidateSlug(slug string) problem.List {
	var probs problem.List
	switch {
	case slug == "":
		probs.Add("slug", problem.Required, nil)
	case len(slug) > MaxSlugLen:
		probs.Add("slug", problem.TooLong, map[string]any{"max": MaxSlugLen})
	case !slugPattern.MatchString(slug):
		probs.Add("slug", problem.InvalidName, nil)
	case reserved[slug]:
		probs.Add("slug", problem.ReservedWord, nil)
	}
	return probs
}

// SchemaName is the Postgres schema that holds the tables of tenant id with slug:
// t<id>_<slug>, e.g. t1_acme. The id makes it unique to this tenant: a tenant created
// again with a deleted one's slug gets a schema of its own, so nothing that still knows
// the old tenant (a cached key, a cached model) can reach the new one's tables. No
// such name can equal a schema t_<slug> of a tenant created before this naming, which
// keeps the name it has (forma.tenants.schema_name is read, never derived).
func SchemaName(id int64, slug string) string { return "t" + strconv.FormatInt(id, 10) + "_" + slug }
