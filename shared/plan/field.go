package plan

import (
	"fmt"

	"forma.dev/shared/schema"
)

// diffField plans the changes to one kept column; renames of its constraints and index
// are returned apart, to be ordered with the table's other renames.
func diffField(t string, p pair) ([]Op, []rename) {
	o, n := p.o, p.n
	var ops []Op
	var renames []rename
	changed := o.r.Column != n.r.Column && o.r.Column != "" && n.r.Column != ""
	constraint := func(was, is, same bool, kind Kind, oldName, newName string, drop, add func() Op) {
		switch {
		case was && is && same:
			if oldName != newName {
				renames = append(renames, rename{kind: kind, from: oldName, to: newName, op: fieldOp(kind, t, n, "")})
			}
		default:
			if was {
				ops = append(ops, drop())
			}
			if is {
				ops = append(ops, add())
			}
		}
	}
	sameFK := !changed && o.f.RelatedModel == n.f.RelatedModel && o.r.OnDelete == n.r.OnDelete
	constraint(o.foreignKey(), n.foreignKey(), sameFK, RenameConstraint, o.foreignKeyName(t), n.foreignKeyName(t),
		func() Op { return dropForeignKey(t, o) }, func() Op { return addForeignKey(t, n, true) })
	constraint(o.check(), n.check(), !changed && sameValues(o.r.Choices, n.r.Choices), RenameConstraint,
		o.checkName(t), n.checkName(t), func() Op { return dropCheck(t, o) }, func() Op { return addCheck(t, n, true) })
	constraint(o.unique(), n.unique(), true, RenameConstraint, o.uniqueName(t), n.uniqueName(t),
		func() Op { return dropUnique(t, o) }, func() Op { return addUnique(t, n, true) })
	constraint(o.index(), n.index(), true, RenameIndex, o.indexName(t), n.indexName(t),
		func() Op { return dropIndex(t, o) }, func() Op { return addIndex(t, n) })

	od, nd := o.def(), n.def()
	if od != nil && (changed || nd == nil) {
		ops = append(ops, dropOp(DropDefault, t, o, "remove the default of field %q", o.f.Name))
	}
	if nd != nil && (changed || schema.Canonical(od) != schema.Canonical(nd)) {
		op := fieldOp(SetDefault, t, n, "set the default of field %q to %s", n.f.Name, show(nd))
		op.Default = nd
		ops = append(ops, op)
	}
	switch {
	case o.f.Required && !n.f.Required:
		ops = append(ops, fieldOp(DropNotNull, t, n, "make field %q optional", n.f.Name))
	case !o.f.Required && n.f.Required:
		op := fieldOp(SetNotNull, t, n, "make field %q required", n.f.Name)
		if nd != nil {
			op.Description += ", filling empty values with " + show(nd)
		}
		op.Default, op.MayFail = nd, nd == nil
		ops = append(ops, op)
	}
	if changed {
		c, _ := retype(o.f.Type, n.f.Type, o.r.Column, n.r.Column)
		from, to := typeName(o), typeName(n)
		if o.f.Type == n.f.Type {
			from, to = o.r.Column, n.r.Column
		}
		op := fieldOp(AlterType, t, n, "change field %q from %s to %s", n.f.Name, from, to)
		op.Column, op.Cast, op.MayFail, op.DataLoss = n.r.Column, c.Cast, c.MayFail, c.DataLoss
		ops = append(ops, op)
	}
	for i := range ops {
		if ops[i].Def == nil {
			ops[i].Def = &n.f
		}
		if ops[i].Prev == nil {
			ops[i].Prev = &o.f
		}
	}
	return ops, renames
}

// typeName is "text (varchar(3))", or only the column when the type is the column.
func typeName(s state) string {
	if s.f.Type == s.r.Column {
		return s.r.Column
	}
	return fmt.Sprintf("%s (%s)", s.f.Type, s.r.Column)
}
