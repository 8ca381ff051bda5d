package plan

import (
	"fmt"
	"sort"
	"strings"

	"forma.dev/shared/schema"
)

// pair is an old field and the new field that continues it.
type pair struct{ o, n state }

// alterTable plans the changes to an existing table.
func alterTable(old, next *schema.Model) []Op {
	t := next.Name
	var pairs []pair
	var added []state
	kept := make([]bool, len(old.Fields))
	for i, j := range schema.MatchFields(old.Fields, next.Fields) {
		n := resolve(next.Fields[i])
		if j < 0 {
			added = append(added, n)
			continue
		}
		o := resolve(old.Fields[j])
		if _, ok := retype(o.f.Type, n.f.Type, o.r.Column, n.r.Column); !ok {
			added = append(added, n) // no conversion: drop the old column, add a new one
			continue
		}
		kept[j] = true
		pairs = append(pairs, pair{o, n})
	}
	sort.SliceStable(pairs, func(i, j int) bool { return pairs[i].n.f.Name < pairs[j].n.f.Name })
	sort.SliceStable(added, func(i, j int) bool { return added[i].f.Name < added[j].f.Name })

	var ops []Op
	var dropped []state
	for j, f := range old.Fields {
		if !kept[j] {
			dropped = append(dropped, resolve(f))
		}
	}
	sort.SliceStable(dropped, func(i, j int) bool { return dropped[i].f.Name < dropped[j].f.Name })
	for _, s := range dropped {
		ops = append(ops, dropConstraints(t, s)...)
		op := dropOp(DropColumn, t, s, "drop field %q and its values", s.f.Name)
		op.DataLoss = true
		ops = append(ops, op)
	}
	var columns, constraints []rename
	for _, p := range pairs {
		more, renames := diffField(t, p)
		ops = append(ops, more...)
		constraints = append(constraints, renames...)
		if p.o.f.Name != p.n.f.Name {
			op := fieldOp(RenameColumn, t, p.n, "")
			op.Prev = &p.o.f
			columns = append(columns, rename{kind: RenameColumn, from: p.o.f.Name, to: p.n.f.Name, op: op})
		}
	}
	for _, s := range added {
		ops = append(ops, addColumn(t, s, true))
		ops = append(ops, addConstraints(t, s, true)...)
	}
	more, renames := diffUniqueTogether(old, next, pairs, added)
	ops = append(ops, more...)
	constraints = append(constraints, renames...)
	more, renames = diffIndexes(old, next, pairs)
	ops = append(ops, more...)
	constraints = append(constraints, renames...)
	ops = append(ops, renameOps(t, columns)...)
	return append(ops, renameOps(t, constraints)...)
}

// renameOps orders renames (through temporary names when they form a cycle) into ops.
func renameOps(t string, renames []rename) []Op {
	var ops []Op
	for _, r := range orderRenames(renames, func(from string) string { return TempName(t, from) }) {
		op := r.op
		op.Kind, op.To = r.kind, r.to
		what := "field"
		if r.kind == RenameColumn {
			op.Field = r.from
		} else {
			op.Name = r.from
			what = map[Kind]string{RenameConstraint: "constraint", RenameIndex: "index"}[r.kind]
		}
		switch {
		case strings.HasPrefix(r.to, tempPrefix):
			op.Description = fmt.Sprintf("rename %s %q to a temporary name %q", what, r.from, r.to)
		case strings.HasPrefix(r.from, tempPrefix):
			op.Description = fmt.Sprintf("rename %s %q (temporarily named %q) to %q", what, r.orig, r.from, r.to)
		default:
			op.Description = fmt.Sprintf("rename %s %q to %q", what, r.from, r.to)
		}
		ops = append(ops, op)
	}
	return ops
}
