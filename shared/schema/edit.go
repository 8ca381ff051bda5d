package schema

import "forma.dev/shared/problem"

// The edits of one field of a model, as the API's field routes and the designer make
// them. Each returns a new model and leaves m as it was, or returns problems about the
// edit itself: no field of that name (unknown_field, path ""), a name that two fields
// have (duplicate, path ""), a new name that another field has (duplicate, path "name").
// They do not validate the model they return: ValidateModel does.

// AddField returns m with f appended.
func AddField(m Model, f Field) (Model, problem.List) {
	if _, ok := m.Field(f.Name); ok {
		return Model{}, nameTaken(f.Name)
	}
	m.Fields = append(m.Fields[:len(m.Fields):len(m.Fields)], f)
	return m, nil
}

// DropField returns m without the field name and without every unique_together group
// and index that names it, as Postgres drops a constraint or an index with any of its
// columns: what is left of one would be another rule (a unique_together of fewer fields
// refuses more records) or another index, which a drop should not make.
func DropField(m Model, name string) (Model, problem.List) {
	i, problems := fieldIndex(m, name)
	if problems != nil {
		return Model{}, problems
	}
	m.Fields = append(m.Fields[:i:i], m.Fields[i+1:]...)
	m.UniqueTogether = dropNaming(m.UniqueTogether, name, false)
	m.Indexes = dropNaming(m.Indexes, name, true)
	return m, nil
}

// RenameField returns m with the field name renamed to, and every unique_together
// group and index that names it naming it by the new name (an index keeps the column's
// direction). The field keeps its id, so the plan renames the column, keeping the data.
func RenameField(m Model, name, to string) (Model, problem.List) {
	i, problems := fieldIndex(m, name)
	if problems != nil {
		return Model{}, problems
	}
	if to == name {
		return m, nil
	}
	if _, ok := m.Field(to); ok {
		return Model{}, nameTaken(to)
	}
	m.Fields = append([]Field(nil), m.Fields...)
	m.Fields[i].Name = to
	m.UniqueTogether = renameIn(m.UniqueTogether, name, to, false)
	m.Indexes = renameIn(m.Indexes, name, to, true)
	return m, nil
}

// fieldIndex finds the one field called name.
func fieldIndex(m Model, name string) (int, problem.List) {
	at, n := -1, 0
	for i, f := range m.Fields {
		if f.Name == name {
			at, n = i, n+1
		}
	}
	switch {
	case n == 0:
		return -1, problem.List{problem.New("", problem.UnknownField, map[string]any{"name": name})}
	case n > 1:
		return -1, problem.List{problem.New("", problem.Duplicate, map[string]any{"name": name})}
	}
	return at, nil
}

func nameTaken(name string) problem.List {
	return problem.List{problem.New("name", problem.Duplicate, map[string]any{"name": name})}
}

// column reads one entry of a unique_together group, or of an index (directed): the
// field it names and whether it is descending.
func column(col string, directed bool) (string, bool) {
	if directed {
		return IndexColumn(col)
	}
	return col, false
}

// names tells whether a group or an index (directed) names the field name.
func names(list []string, name string, directed bool) bool {
	for _, col := range list {
		if n, _ := column(col, directed); n == name {
			return true
		}
	}
	return false
}

// dropNaming returns the groups or indexes (directed) that do not name the field name;
// nil when none is left.
func dropNaming(lists [][]string, name string, directed bool) [][]string {
	var out [][]string
	for _, l := range lists {
		if !names(l, name, directed) {
			out = append(out, l)
		}
	}
	return out
}

// renameIn returns the groups or indexes (directed) with every entry naming the field
// name naming to instead, "-" kept. It copies what it changes.
func renameIn(lists [][]string, name, to string, directed bool) [][]string {
	out := append([][]string(nil), lists...)
	for i, l := range out {
		if !names(l, name, directed) {
			continue
		}
		l = append([]string(nil), l...)
		for j, col := range l {
			if n, desc := column(col, directed); n == name {
				l[j] = to
				if desc {
					l[j] = "-" + to
				}
			}
		}
		out[i] = l
	}
	return out
}
