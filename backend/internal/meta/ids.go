package meta

import (
	"crypto/rand"
	"regexp"

	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// idAlphabet is what server-assigned field ids are made of: lowercase letters and digits.
const idAlphabet = "abcdefghijklmnopqrstuvwxyz0123456789"

// idPattern is what a client-supplied field id must look like.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,32}$`)

// NewID returns a short random field id of 10 letters and digits, e.g. "k3x9q2m7ab".
func NewID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = idAlphabet[int(b[i])%len(idAlphabet)]
	}
	return string(b)
}

// AssignIDs gives every field of next without an id one, as shared's schema.AssignIDs
// does: the id of the current field it continues, so a definition sent without ids
// updates in place, else a new random id. The ids it gives are valid and unique; those
// sent are checked by CheckIDs and by shared's validation (duplicates).
func AssignIDs(current, next []schema.Model) {
	byName := make(map[string]*schema.Model, len(current))
	for i := range current {
		byName[current[i].Name] = &current[i]
	}
	for mi := range next {
		schema.AssignIDs(byName[next[mi].Name], &next[mi], NewID)
	}
}

// CheckIDs reports the field ids of m that are not 1 to 32 letters, digits, "_" or "-"
// (invalid_format at "fields[i].id"); a field without an id passes: AssignIDs gives it one.
func CheckIDs(m schema.Model) problem.List {
	var list problem.List
	for i, f := range m.Fields {
		if f.ID != "" && !idPattern.MatchString(f.ID) {
			list.Add(problem.Index("fields", i)+".id", problem.InvalidFormat, map[string]any{"format": "field id"})
		}
	}
	return list
}
