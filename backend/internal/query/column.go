// Package query is the query language of record lists: filters and their lookups, sort,
// limit, keyset cursors, fields and expand, parsed from a query string against a
// model's columns into a List that records renders as SQL.
package query

import (
	"forma.dev/backend/internal/wire"
	"forma.dev/shared/fieldtype"
)

// Column is what the query language knows of a model's column.
type Column struct {
	Name     string
	Pos      int // its place among its table's columns
	Codec    fieldtype.Codec
	Kind     wire.Kind
	Lookups  LookupSet
	Sortable bool
	Relation bool
}

// Columns finds a model's columns by name.
type Columns interface {
	Column(name string) (*Column, bool)
}
