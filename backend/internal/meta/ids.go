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
// does (the id of the current field it continues, so a definition sent without ids
// updates in place; else a new random id), and reports ids that are not 1 to 32 letters,
// digits, "_" or "-". Duplicate ids are reported by shared's validation.
func AssignIDs(current, next []schema.Model) problem.List {
	byName := make(map[string]*schema.Model, len(current))
	for i := range current {
		byName[current[i].Name] = &current[i]
	}
	var list problem.List
	for mi := range next {
		schema.AssignIDs(byName[next[mi].Name], &next[mi], NewID)
		for fi, f := range next[mi].Fields {
			if !idPattern.MatchString(f.ID) {
				list.Add(problem.Index("models", mi)+"."+problem.Index("fields", fi)+".id",
					problem.InvalidFormat, map[string]any{"format": "field id"})
			}
		}
	}
	return list
}
