package plan

import (
	"fmt"
	"strconv"
	"strings"

	"forma.dev/shared/schema"
)

// modelIndexes returns a model's indexes that can exist in the database: one to
// schema.MaxIndexColumns distinct columns, each a field of the model or a system column,
// each index once.
func modelIndexes(fields []schema.Field, entries [][]string) [][]string {
	names := make(map[string]bool, len(fields)+len(schema.SystemColumns))
	for _, c := range schema.SystemColumns {
		names[c] = true
	}
	for _, f := range fields {
		names[f.Name] = true
	}
	seen := map[string]bool{}
	var out [][]string
	for _, ix := range entries {
		ok := len(ix) > 0 && len(ix) <= schema.MaxIndexColumns
		in := map[string]bool{}
		for _, col := range ix {
			n, _ := schema.IndexColumn(col)
			ok = ok && n != "" && names[n] && !in[n]
			in[n] = true
		}
		if k := schema.Canonical(ix); ok && !seen[k] {
			seen[k] = true
			out = append(out, ix)
		}
	}
	return out
}

// diffIndexes keeps the indexes whose columns all continue, in the same order and
// directions (renaming the index when a field is renamed: Postgres keeps an index on a
// renamed column as it is), drops the others and creates the new ones.
func diffIndexes(old, next *schema.Model, pairs []pair) ([]Op, []rename) {
	t := next.Name
	to := make(map[string]string, len(pairs)+len(schema.SystemColumns))
	for _, c := range schema.SystemColumns {
		to[c] = c
	}
	for _, p := range pairs {
		to[p.o.f.Name] = p.n.f.Name
	}
	newIndexes := modelIndexes(next.Fields, next.Indexes)
	wanted := map[string]bool{}
	for _, ix := range newIndexes {
		wanted[schema.Canonical(ix)] = true
	}
	var ops []Op
	var renames []rename
	have := map[string]bool{}
	for _, ix := range modelIndexes(old.Fields, old.Indexes) {
		mapped := make([]string, 0, len(ix))
		for _, col := range ix {
			n, desc := schema.IndexColumn(col)
			if m, ok := to[n]; ok {
				mapped = append(mapped, indexColumn(m, desc))
			}
		}
		if k := schema.Canonical(mapped); len(mapped) == len(ix) && wanted[k] && !have[k] {
			have[k] = true
			if from, into := IndexName(t, ix), IndexName(t, mapped); from != into {
				renames = append(renames, rename{kind: RenameIndex, from: from, to: into, op: Op{Model: t, Fields: mapped}})
			}
			continue
		}
		ops = append(ops, Op{Kind: DropModelIndex, Model: t, Fields: ix, Name: IndexName(t, ix),
			Description: "drop the index on " + showIndex(ix)})
	}
	for _, ix := range newIndexes {
		if !have[schema.Canonical(ix)] {
			ops = append(ops, addModelIndex(t, ix))
		}
	}
	return ops, renames
}

// addModelIndex creates an index of the model's indexes. It cannot fail on existing rows:
// it is not unique.
func addModelIndex(t string, ix []string) Op {
	return Op{Kind: AddModelIndex, Model: t, Fields: ix, Name: IndexName(t, ix),
		Description: "index " + showIndex(ix)}
}

// indexColumn writes a column of an index as the definition does: "-" for descending.
func indexColumn(name string, desc bool) string {
	if desc {
		return "-" + name
	}
	return name
}

// showIndex says an index's columns for a description: `fields "country", "timestamp"
// descending, "id"`.
func showIndex(ix []string) string {
	parts := make([]string, len(ix))
	for i, col := range ix {
		n, desc := schema.IndexColumn(col)
		parts[i] = strconv.Quote(n)
		if desc {
			parts[i] += " descending"
		}
	}
	return fmt.Sprintf("field%s %s", plural(len(ix)), strings.Join(parts, ", "))
}
