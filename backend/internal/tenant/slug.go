package tenant

import (
	"regexp"

	"forma.dev/shared/problem"
)

// MaxSlugLen is the longest slug accepted, in bytes; t_<slug> stays well under
// Postgres's 63-byte identifier limit.
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

// SchemaName is the Postgres schema that holds a tenant's tables.
func SchemaName(slug string) string { return "t_" + slug }
