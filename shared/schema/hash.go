package schema

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strconv"
	"strings"
)

// Hash returns the hex SHA-256 of a model's canonical form: its name, unique_together,
// indexes and, for every field keyed by name, id, name, type, related_model, unique,
// index, required, choices, default and options, with object keys sorted, numbers in one
// form and the default and choices normalised by the field's type. Field order, the
// order of choices, of unique_together and of indexes (but not of the columns within an
// index), labels, help, descriptions, field order numbers and the admin flag do not
// change it: they affect neither the database nor the API. Field ids are part of it, so
// swapping two fields' names changes the hash.
func Hash(m Model) string {
	return hexSum(canonicalModel(m))
}

// SchemaHash returns the hex SHA-256 of a whole tenant schema; model order does not matter.
func SchemaHash(models []Model) string {
	parts := make([]string, len(models))
	for i, m := range models {
		parts[i] = canonicalModel(m)
	}
	sort.Strings(parts)
	return hexSum("forma.schema/1[" + strings.Join(parts, ",") + "]")
}

// Cosmetic tells whether two definitions of a model differ at most in what affects
// neither the database nor the API (labels, help, descriptions, order, admin).
func Cosmetic(old, next Model) bool {
	return canonicalModel(old) == canonicalModel(next)
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func canonicalModel(m Model) string {
	fields := make([]string, len(m.Fields))
	for i, f := range m.Fields {
		fields[i] = canonicalField(f)
	}
	sort.Strings(fields)
	groups := make([]string, len(m.UniqueTogether))
	for i, g := range m.UniqueTogether {
		groups[i] = Canonical(sortedCopy(g))
	}
	sort.Strings(groups)
	out := "forma.model/1{" + strconv.Quote(m.Name) +
		",[" + strings.Join(fields, ",") + "],[" + strings.Join(groups, ",") + "]"
	if len(m.Indexes) > 0 {
		// Only when there are some: the hash of a model without indexes stays what it
		// was before models had them, so stored hashes still match.
		indexes := make([]string, len(m.Indexes))
		for i, ix := range m.Indexes {
			indexes[i] = Canonical(ix) // column order and "-" matter
		}
		sort.Strings(indexes)
		out += ",[" + strings.Join(indexes, ",") + "]"
	}
	return out + "}"
}

func canonicalField(f Field) string {
	r := Resolve(f)
	choices := make([]string, len(r.Choices))
	for i, c := range r.Choices {
		choices[i] = Canonical(c)
	}
	sort.Strings(choices)
	opts := make(map[string]any, len(f.Options))
	for k, v := range f.Options {
		if v != nil {
			opts[k] = v
		}
	}
	return Canonical(map[string]any{
		"id": f.ID, "name": f.Name, "type": f.Type, "related_model": f.RelatedModel,
		"unique": f.Unique, "index": f.Index, "required": f.Required,
		"choices": choices, "default": r.Default, "options": opts,
	})
}

func sortedCopy(s []string) []string {
	out := append([]string(nil), s...)
	sort.Strings(out)
	return out
}
