package plan

import (
	"fmt"

	"forma.dev/shared/schema"
)

// groups returns a model's unique_together groups that can exist in the database: two
// or more distinct fields of the model, each set once whatever the order of its names.
func groups(fields []schema.Field, ut [][]string) [][]string {
	names := make(map[string]bool, len(fields))
	for _, f := range fields {
		names[f.Name] = true
	}
	seen := map[string]bool{}
	var out [][]string
	for _, g := range ut {
		in := map[string]bool{}
		ok := len(g) >= 2
		for _, n := range g {
			ok = ok && names[n] && !in[n]
			in[n] = true
		}
		if k := groupKey(g); ok && !seen[k] {
			seen[k] = true
			out = append(out, g)
		}
	}
	return out
}

func groupKey(g []string) string {
	sorted := append([]string(nil), g...)
	sortStrings(sorted)
	return schema.Canonical(sorted)
}

// diffUniqueTogether keeps the groups whose fields all continue (renaming their
// constraint when a field is renamed), drops the others and adds the new ones.
func diffUniqueTogether(old, next *schema.Model, pairs []pair, added []state) ([]Op, []rename) {
	t := next.Name
	to := make(map[string]string, len(pairs))
	for _, p := range pairs {
		to[p.o.f.Name] = p.n.f.Name
	}
	empty := map[string]bool{} // added columns that start all null
	for _, s := range added {
		empty[s.f.Name] = s.def() == nil
	}
	newGroups := groups(next.Fields, next.UniqueTogether)
	wanted := map[string]bool{}
	for _, g := range newGroups {
		wanted[groupKey(g)] = true
	}
	var ops []Op
	var renames []rename
	have := map[string]bool{}
	for _, g := range groups(old.Fields, old.UniqueTogether) {
		mapped := make([]string, 0, len(g))
		for _, n := range g {
			if m, ok := to[n]; ok {
				mapped = append(mapped, m)
			}
		}
		if k := groupKey(mapped); len(mapped) == len(g) && wanted[k] {
			have[k] = true
			if from, into := uniqueTogetherName(t, g), uniqueTogetherName(t, mapped); from != into {
				op := Op{Model: t, Fields: mapped}
				renames = append(renames, rename{kind: RenameConstraint, from: from, to: into, op: op})
			}
			continue
		}
		ops = append(ops, Op{Kind: DropUniqueTogether, Model: t, Fields: g, Name: uniqueTogetherName(t, g),
			Description: fmt.Sprintf("allow repeated combinations of fields %s", quoteAll(g))})
	}
	for _, g := range newGroups {
		if have[groupKey(g)] {
			continue
		}
		mayFail := true
		for _, n := range g {
			mayFail = mayFail && !empty[n]
		}
		ops = append(ops, addUniqueTogether(t, g, mayFail))
	}
	return ops, renames
}

func addUniqueTogether(t string, g []string, mayFail bool) Op {
	return Op{Kind: AddUniqueTogether, Model: t, Fields: g, Name: uniqueTogetherName(t, g), MayFail: mayFail,
		Description: fmt.Sprintf("make fields %s unique together", quoteAll(g))}
}
