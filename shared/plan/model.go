package plan

import (
	"fmt"
	"sort"

	"forma.dev/shared/schema"
)

// Model returns the ordered operations that take a model's table from old to next:
// old nil creates the table, next nil drops it, and Model(m, m) is empty.
func Model(old, next *schema.Model) []Op {
	ops := diffModel(old, next)
	sortOps(ops)
	return ops
}

// Schema returns the ordered operations that take a tenant's schema from old to next,
// models matched by name: every table is created before any foreign key refers to it,
// and foreign keys between dropped tables go before the tables.
func Schema(old, next []schema.Model) []Op {
	olds, nexts := byName(old), byName(next)
	names := make([]string, 0, len(olds)+len(nexts))
	for n := range olds {
		names = append(names, n)
	}
	for n := range nexts {
		if _, ok := olds[n]; !ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	var ops []Op
	for _, n := range names {
		ops = append(ops, diffModel(olds[n], nexts[n])...)
		if o := olds[n]; o != nil && nexts[n] == nil {
			for _, f := range sortedByName(o.Fields) {
				s := resolve(f)
				_, kept := nexts[f.RelatedModel]
				if _, was := olds[f.RelatedModel]; s.foreignKey() && was && !kept && f.RelatedModel != n {
					ops = append(ops, dropForeignKey(n, s))
				}
			}
		}
	}
	sortOps(ops)
	return ops
}

func byName(models []schema.Model) map[string]*schema.Model {
	out := make(map[string]*schema.Model, len(models))
	for i := range models {
		if _, dup := out[models[i].Name]; !dup {
			out[models[i].Name] = &models[i]
		}
	}
	return out
}

func diffModel(old, next *schema.Model) []Op {
	switch {
	case old == nil && next == nil:
		return nil
	case old == nil:
		return createTable(next)
	case next == nil:
		return []Op{dropTable(old)}
	case old.Name != next.Name:
		return append([]Op{dropTable(old)}, createTable(next)...)
	}
	return alterTable(old, next)
}

func dropTable(m *schema.Model) Op {
	return Op{Kind: DropTable, Model: m.Name, DataLoss: true,
		Description: fmt.Sprintf("drop model %q and all its records", m.Name)}
}

// createTable creates the table with its columns, then its constraints and indexes.
func createTable(m *schema.Model) []Op {
	t := m.Name
	create := Op{Kind: CreateTable, Model: t, Table: m, Columns: []Column{}}
	for _, f := range schema.SortedFields(*m) {
		s := resolve(f)
		create.Columns = append(create.Columns, Column{Name: f.Name, FieldID: f.ID,
			Type: s.r.Column, NotNull: f.Required, Default: s.def()})
	}
	create.Description = fmt.Sprintf("create model %q with %d field%s", t, len(create.Columns), plural(len(create.Columns)))
	ops := []Op{create}
	for _, f := range sortedByName(m.Fields) {
		ops = append(ops, addConstraints(t, resolve(f), false)...)
	}
	for _, g := range groups(m.Fields, m.UniqueTogether) {
		ops = append(ops, addUniqueTogether(t, g, false))
	}
	for _, ix := range modelIndexes(m.Fields, m.Indexes) {
		ops = append(ops, addModelIndex(t, ix))
	}
	return ops
}

// addConstraints adds a new column's unique, index, check and foreign key; existing
// tells whether the table has rows already (the column then holds its default).
func addConstraints(t string, s state, existing bool) []Op {
	var ops []Op
	filled := existing && s.def() != nil
	if s.unique() {
		ops = append(ops, addUnique(t, s, filled))
	}
	if s.index() {
		ops = append(ops, addIndex(t, s))
	}
	if s.check() {
		ops = append(ops, addCheck(t, s, filled))
	}
	if s.foreignKey() {
		ops = append(ops, addForeignKey(t, s, filled))
	}
	return ops
}

// dropConstraints drops an old column's foreign key, check, unique and index.
func dropConstraints(t string, s state) []Op {
	var ops []Op
	if s.foreignKey() {
		ops = append(ops, dropForeignKey(t, s))
	}
	if s.check() {
		ops = append(ops, dropCheck(t, s))
	}
	if s.unique() {
		ops = append(ops, dropUnique(t, s))
	}
	if s.index() {
		ops = append(ops, dropIndex(t, s))
	}
	return ops
}

func sortedByName(fields []schema.Field) []schema.Field {
	out := append([]schema.Field(nil), fields...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sortOps puts ops in a safe order (see rank), keeping generation order within a rank.
func sortOps(ops []Op) {
	sort.SliceStable(ops, func(i, j int) bool { return rank[ops[i].Kind] < rank[ops[j].Kind] })
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}
