package access

import (
	"slices"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/schema"
)

// systemKey is how a kept rule names a system column: "$id".
func systemKey(name string) string { return "$" + name }

// column is what a rule needs to know of a field or system column.
type column struct {
	key, name string // key: the field's id ("$id" for a system column)
	system    bool
	auto      bool // set by Forma (auto_now, auto_now_add): no body or preset writes it
	required  bool
	lookups   []string
	// codec is nil when the field's options are invalid (a designer's draft): its
	// values are then not checked.
	codec   fieldtype.Codec
	choices []any // normalised
}

// allows tells whether the column takes lookup.
func (c *column) allows(lookup string) bool { return slices.Contains(c.lookups, lookup) }

// table is one model's columns by name and by key.
type table struct {
	name   string
	byName map[string]*column
	byKey  map[string]*column
}

// fieldKey is the key a rule keeps f by: its id, or its name while it has none (a
// draft the server has not given ids yet).
func fieldKey(f *schema.Field) string {
	if f.ID != "" {
		return f.ID
	}
	return f.Name
}

func newTable(m *schema.Model) *table {
	t := &table{name: m.Name,
		byName: make(map[string]*column, len(m.Fields)+len(schema.SystemColumns)),
		byKey:  make(map[string]*column, len(m.Fields)+len(schema.SystemColumns))}
	for _, name := range schema.SystemColumns {
		typ, _ := fieldtype.Lookup(schema.SystemColumnType(name))
		c := &column{key: systemKey(name), name: name, system: true,
			lookups: typ.Describe().Lookups, codec: typ.Compile(nil)}
		t.add(c)
	}
	for i := range m.Fields {
		f := &m.Fields[i]
		if schema.IsSystemColumn(f.Name) {
			continue // an invalid model: the system column wins
		}
		r := schema.Resolve(*f)
		c := &column{key: fieldKey(f), name: f.Name, required: f.Required,
			lookups: r.Desc.Lookups, codec: r.Codec}
		if r.Codec != nil {
			c.choices = r.Choices
			c.auto = isAuto(f)
		}
		t.add(c)
	}
	return t
}

func isAuto(f *schema.Field) bool {
	now, nowAdd := fieldtype.IsAuto(f.Type, f.Options)
	return now || nowAdd
}

// add keeps the first column of a name or key: later ones are a schema's own problems.
func (t *table) add(c *column) {
	if _, dup := t.byName[c.name]; !dup {
		t.byName[c.name] = c
	}
	if _, dup := t.byKey[c.key]; !dup {
		t.byKey[c.key] = c
	}
}

// tables finds the models' tables by name, building each once, when first asked.
type tables struct {
	models map[string]*schema.Model
	built  map[string]*table
}

func newTables(models []schema.Model) *tables {
	ts := &tables{models: make(map[string]*schema.Model, len(models)), built: map[string]*table{}}
	for i := range models {
		if _, dup := ts.models[models[i].Name]; !dup {
			ts.models[models[i].Name] = &models[i]
		}
	}
	return ts
}

func (ts *tables) get(name string) (*table, bool) {
	if t, ok := ts.built[name]; ok {
		return t, true
	}
	m, ok := ts.models[name]
	if !ok {
		return nil, false
	}
	t := newTable(m)
	ts.built[name] = t
	return t, true
}
