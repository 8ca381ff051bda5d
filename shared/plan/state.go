package plan

import (
	"forma.dev/shared/schema"
)

// state is one field with what the planner needs to know about it.
type state struct {
	f schema.Field
	r schema.Resolved
}

func resolve(f schema.Field) state { return state{f: f, r: schema.Resolve(f)} }

// def is the field's default as the column holds it: normalised, nil for none.
func (s state) def() any {
	if s.f.Default == nil {
		return nil
	}
	return s.r.Default
}

func (s state) unique() bool { return s.f.Unique }

// index is a plain index: a unique field has one already.
func (s state) index() bool { return s.f.Index && !s.f.Unique }

func (s state) check() bool { return len(s.r.Choices) > 0 && s.r.Desc.Choices }

func (s state) foreignKey() bool { return s.r.Desc.Relation && s.f.RelatedModel != "" }

func (s state) uniqueName(table string) string {
	return ConstraintName(table, suffixUnique, s.f.Name)
}

func (s state) indexName(table string) string {
	return ConstraintName(table, suffixIndex, s.f.Name)
}

func (s state) checkName(table string) string {
	return ConstraintName(table, suffixCheck, s.f.Name)
}

func (s state) foreignKeyName(table string) string {
	return ConstraintName(table, suffixForeignKey, s.f.Name)
}

// sameValues tells whether two lists hold the same values, in any order.
func sameValues(a, b []any) bool {
	if len(a) != len(b) {
		return false
	}
	count := make(map[string]int, len(a))
	for _, v := range a {
		count[schema.Canonical(v)]++
	}
	for _, v := range b {
		k := schema.Canonical(v)
		if count[k] == 0 {
			return false
		}
		count[k]--
	}
	return true
}

// rank orders op kinds so that a plan is safe: constraints go before their columns are
// dropped or retyped, drops before renames, renames before adds that reuse a name,
// columns before the constraints on them, tables before foreign keys to them.
var rank = map[Kind]int{
	DropForeignKey: 0, DropCheck: 1, DropUniqueTogether: 2, DropUnique: 3, DropIndex: 4,
	DropModelIndex: 5, DropDefault: 6, DropColumn: 7, DropTable: 8, RenameColumn: 9,
	RenameConstraint: 10, RenameIndex: 10, CreateTable: 11, DropNotNull: 12, AlterType: 13,
	AddColumn: 14, SetDefault: 15, SetNotNull: 16, AddUnique: 17, AddUniqueTogether: 18,
	AddIndex: 19, AddModelIndex: 20, AddCheck: 21, AddForeignKey: 22,
}
