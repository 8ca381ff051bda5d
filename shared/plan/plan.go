// Package plan computes the ordered operations that take a tenant's database from one
// definition of a model to another, each flagged when it can lose data or fail on
// existing rows, with a one-line description a person can read before applying it.
package plan

import "forma.dev/shared/schema"

// Kind is the kind of one operation.
type Kind string

// Operation kinds. The backend renders each to SQL and MUST refuse a kind it does not know.
const (
	CreateTable        Kind = "create_table"
	DropTable          Kind = "drop_table"
	AddColumn          Kind = "add_column"
	DropColumn         Kind = "drop_column"
	RenameColumn       Kind = "rename_column"
	AlterType          Kind = "alter_type"
	SetNotNull         Kind = "set_not_null"
	DropNotNull        Kind = "drop_not_null"
	SetDefault         Kind = "set_default"
	DropDefault        Kind = "drop_default"
	AddUnique          Kind = "add_unique"
	DropUnique         Kind = "drop_unique"
	AddIndex           Kind = "add_index"
	DropIndex          Kind = "drop_index"
	AddForeignKey      Kind = "add_foreign_key"
	DropForeignKey     Kind = "drop_foreign_key"
	AddCheck           Kind = "add_check"
	DropCheck          Kind = "drop_check"
	AddUniqueTogether  Kind = "add_unique_together"
	DropUniqueTogether Kind = "drop_unique_together"
)

// Op is one operation of a plan.
type Op struct {
	Kind  Kind   `json:"kind"`
	Model string `json:"model"`
	// Field is the field's column name at the moment the op runs (for a rename: the old name).
	Field string `json:"field,omitempty"`
	// FieldID is the field's stable id, when it has one.
	FieldID string `json:"field_id,omitempty"`
	// To is the new name of a rename.
	To string `json:"to,omitempty"`
	// Fields lists the columns of a unique_together constraint.
	Fields []string `json:"fields,omitempty"`
	// Column is the Postgres column type for create_table, add_column and alter_type.
	Column string `json:"column,omitempty"`
	// Cast is the USING expression of alter_type, with {col} for the quoted column.
	Cast string `json:"cast,omitempty"`
	// DataLoss is true when the op can destroy data that exists now.
	DataLoss bool `json:"data_loss"`
	// MayFail is true when the op can fail because of rows that exist now.
	MayFail bool `json:"may_fail"`
	// Description is one line for a person, e.g. `rename field "name" to "title"`.
	Description string `json:"description"`

	// Def is the field's new definition (nil for drops); Prev its old one (nil for adds).
	// The backend renders SQL from them; they are not part of the JSON form.
	Def  *schema.Field `json:"-"`
	Prev *schema.Field `json:"-"`
	// Table is the whole new model, for create_table.
	Table *schema.Model `json:"-"`
}
