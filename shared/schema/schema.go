// Package schema is the definition language: a tenant's models and their fields, as
// Django Dynamo's MetaModel and MetaField, with validation of a whole tenant schema and
// a canonical hash that changes only when the database or the API would.
package schema

import (
	"strings"

	"forma.dev/shared/fieldtype"
)

// Model is one runtime-defined model: a table in the tenant's schema.
//
// UniqueTogether lists groups of field names whose values must be unique together (the
// order within a group does not matter). Indexes lists the model's indexes, each as its
// columns in index order: a field or system column name, with "-" in front for a
// descending column; ["country", "-timestamp", "id"] serves ?country=PL&sort=-timestamp.
type Model struct {
	Name           string     `json:"name"`
	Label          string     `json:"label,omitempty"`
	Description    string     `json:"description,omitempty"`
	Admin          bool       `json:"admin,omitempty"`
	UniqueTogether [][]string `json:"unique_together,omitempty"`
	Indexes        [][]string `json:"indexes,omitempty"`
	Fields         []Field    `json:"fields"`
}

// Field is one field of a model: a column of its table.
type Field struct {
	// ID is stable and server-assigned; it tells a rename from a drop and an add.
	ID           string            `json:"id,omitempty"`
	Name         string            `json:"name"`
	Label        string            `json:"label,omitempty"`
	Type         string            `json:"type"`
	RelatedModel string            `json:"related_model,omitempty"`
	Description  string            `json:"description,omitempty"`
	Order        int               `json:"order,omitempty"`
	Unique       bool              `json:"unique,omitempty"`
	Index        bool              `json:"index,omitempty"`
	Help         string            `json:"help,omitempty"`
	Choices      []any             `json:"choices,omitempty"`
	Default      any               `json:"default,omitempty"`
	Required     bool              `json:"required,omitempty"`
	Options      fieldtype.Options `json:"options,omitempty"`
}

// System columns that every table has and no definition may declare.
const (
	ColumnID        = "id"
	ColumnCreatedAt = "created_at"
	ColumnUpdatedAt = "updated_at"
)

// SystemColumns lists the system columns in table order.
var SystemColumns = []string{ColumnID, ColumnCreatedAt, ColumnUpdatedAt}

// systemColumnTypes are the field types of the system columns.
var systemColumnTypes = map[string]string{
	ColumnID:        "integer",
	ColumnCreatedAt: "datetime",
	ColumnUpdatedAt: "datetime",
}

// SystemColumnType is the field type of system column name, as records, rules, list
// filters and the OpenAPI document treat it: id is an integer, created_at and
// updated_at are datetimes; "" for a name that is not a system column.
func SystemColumnType(name string) string { return systemColumnTypes[name] }

// MaxNameBytes is the longest name Postgres keeps without truncating it.
const MaxNameBytes = 63

// MaxIndexColumns is the most columns a Postgres index takes (INDEX_MAX_KEYS).
const MaxIndexColumns = 32

// IndexColumn splits one column of an entry of Model.Indexes into the column's name and
// its direction: "-timestamp" is ("timestamp", true), "country" is ("country", false).
func IndexColumn(col string) (name string, desc bool) {
	if rest, ok := strings.CutPrefix(col, "-"); ok {
		return rest, true
	}
	return col, false
}

// Field returns the field with the given name.
func (m *Model) Field(name string) (*Field, bool) {
	for i := range m.Fields {
		if m.Fields[i].Name == name {
			return &m.Fields[i], true
		}
	}
	return nil, false
}
