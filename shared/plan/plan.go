// Package plan computes the ordered operations that take a tenant's database from one
// definition of a model to another, each flagged when it can lose data or fail on
// existing rows, with a one-line description a person can read before applying it.
package plan

import "forma.dev/shared/schema"

// Kind is the kind of one operation.
type Kind string

// Operation kinds. The backend renders each to SQL and MUST refuse a kind it does not know.
// Every op names its table in Model; field ops name the column in Field as it is when the
// op runs; constraint and index ops carry the exact name to create, drop or rename in Name.
const (
	CreateTable        Kind = "create_table"         // Table, Columns (after id, created_at, updated_at)
	DropTable          Kind = "drop_table"           // DataLoss
	AddColumn          Kind = "add_column"           // Field, Column, NotNull, Default
	DropColumn         Kind = "drop_column"          // Field; DataLoss
	RenameColumn       Kind = "rename_column"        // Field → To (To may be a temporary name)
	AlterType          Kind = "alter_type"           // Field, Column, Cast: ALTER TYPE Column USING Cast
	SetNotNull         Kind = "set_not_null"         // Field; Default: fill nulls with it first
	DropNotNull        Kind = "drop_not_null"        // Field
	SetDefault         Kind = "set_default"          // Field, Default
	DropDefault        Kind = "drop_default"         // Field
	AddUnique          Kind = "add_unique"           // Field, Name: ADD CONSTRAINT Name UNIQUE (Field)
	DropUnique         Kind = "drop_unique"          // Field, Name: DROP CONSTRAINT Name
	AddIndex           Kind = "add_index"            // Field, Name: CREATE INDEX Name ON table (Field)
	DropIndex          Kind = "drop_index"           // Field, Name: DROP INDEX Name
	AddForeignKey      Kind = "add_foreign_key"      // Field, Name, RefModel, OnDelete
	DropForeignKey     Kind = "drop_foreign_key"     // Field, Name
	AddCheck           Kind = "add_check"            // Field, Name, Choices: CHECK (Field IN (Choices))
	DropCheck          Kind = "drop_check"           // Field, Name
	AddUniqueTogether  Kind = "add_unique_together"  // Fields, Name: ADD CONSTRAINT Name UNIQUE (Fields)
	DropUniqueTogether Kind = "drop_unique_together" // Fields, Name
	AddModelIndex      Kind = "add_model_index"      // Fields, Name: CREATE INDEX Name ON table (Fields), "-x" as x DESC
	DropModelIndex     Kind = "drop_model_index"     // Fields, Name: DROP INDEX Name
	RenameConstraint   Kind = "rename_constraint"    // Name → To: ALTER TABLE RENAME CONSTRAINT
	RenameIndex        Kind = "rename_index"         // Name → To: ALTER INDEX RENAME
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
	// Fields lists the columns of a unique_together constraint, or of an index of the
	// model's indexes as the definition writes them: "-" in front of a descending column.
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

	// Name is the constraint or index of a constraint or index op (see the Kind docs);
	// for rename_constraint and rename_index it is the old name and To the new one.
	Name string `json:"name,omitempty"`
	// NotNull makes add_column add the column NOT NULL.
	NotNull bool `json:"not_null,omitempty"`
	// Default is the normalised default of add_column and set_default; on set_not_null it
	// is the value that fills existing nulls first (nil: none, the op MayFail).
	Default any `json:"default,omitempty"`
	// Choices are the normalised values that add_check allows.
	Choices []any `json:"choices,omitempty"`
	// RefModel is the table that add_foreign_key references (its id column).
	RefModel string `json:"ref_model,omitempty"`
	// OnDelete is add_foreign_key's action: cascade, restrict or set_null.
	OnDelete string `json:"on_delete,omitempty"`
	// Columns are create_table's columns after the system columns, in display order.
	Columns []Column `json:"columns,omitempty"`

	// Def is the field's new definition (nil for drops); Prev its old one (nil for adds).
	// The backend renders SQL from them; they are not part of the JSON form.
	Def  *schema.Field `json:"-"`
	Prev *schema.Field `json:"-"`
	// Table is the whole new model, for create_table.
	Table *schema.Model `json:"-"`
}

// Column is one column that create_table creates.
type Column struct {
	Name    string `json:"name"`
	FieldID string `json:"field_id,omitempty"`
	// Type is the Postgres column type, e.g. "varchar(3)".
	Type    string `json:"type"`
	NotNull bool   `json:"not_null,omitempty"`
	// Default is the normalised default value, nil for none.
	Default any `json:"default,omitempty"`
}

// Kinds lists every operation kind, in the order a plan applies them.
var Kinds = []Kind{
	DropForeignKey, DropCheck, DropUniqueTogether, DropUnique, DropIndex, DropModelIndex,
	DropDefault, DropColumn, DropTable, RenameColumn, RenameConstraint, RenameIndex,
	CreateTable, DropNotNull, AlterType, AddColumn, SetDefault, SetNotNull, AddUnique,
	AddUniqueTogether, AddIndex, AddModelIndex, AddCheck, AddForeignKey,
}
