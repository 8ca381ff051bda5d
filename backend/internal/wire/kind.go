// Package wire reads the values of records' rows from Postgres' wire format: each
// column is decoded by its kind, binary or text as Postgres sent it, with no scan plan
// or holder per column, into values carved from slabs shared by the rows of one query.
package wire

import (
	"github.com/jackc/pgx/v5/pgtype"

	"forma.dev/shared/fieldtype"
)

// Kind says how a column is read back from Postgres (and so written as JSON).
type Kind uint8

// The kinds of column.
const (
	Text Kind = iota // read as text: the wires text and text_cast
	Int
	Float
	Bool
	Time
	JSON
)

// kinds decodes each wire kind of fieldtype; a wire kind missing here is a type records
// cannot serve.
var kinds = map[fieldtype.Wire]Kind{
	fieldtype.WireText: Text, fieldtype.WireTextCast: Text, fieldtype.WireInteger: Int,
	fieldtype.WireFloat: Float, fieldtype.WireBoolean: Bool, fieldtype.WireTimestamp: Time,
	fieldtype.WireJSON: JSON,
}

// KindOf is the kind that decodes a field type's wire kind; ok is false when none does.
func KindOf(w fieldtype.Wire) (k Kind, ok bool) {
	k, ok = kinds[w]
	return k, ok
}

// kindsByOID says how each type Postgres may send for a model's column is read; a type
// not listed is not checked.
var kindsByOID = map[uint32]Kind{
	pgtype.Int8OID: Int, pgtype.Int4OID: Int, pgtype.Int2OID: Int,
	pgtype.Float8OID: Float, pgtype.Float4OID: Float,
	pgtype.BoolOID:        Bool,
	pgtype.TimestamptzOID: Time, pgtype.TimestampOID: Time,
	pgtype.JSONBOID: JSON, pgtype.JSONOID: JSON,
	pgtype.TextOID: Text, pgtype.VarcharOID: Text, pgtype.BPCharOID: Text, pgtype.NameOID: Text,
}

// KindOfOID is the kind a value of Postgres type oid is read as; ok is false for a type
// that is not checked.
func KindOfOID(oid uint32) (k Kind, ok bool) {
	k, ok = kindsByOID[oid]
	return k, ok
}

// uncastOIDs are types the select list reads as text: sent as they are, their column is
// not the type the model says.
var uncastOIDs = map[uint32]bool{pgtype.NumericOID: true, pgtype.DateOID: true, pgtype.TimeOID: true, pgtype.UUIDOID: true}

// Mismatch reports whether a column read as kind, sent by Postgres as type oid, is not
// of the type the model says (the column changed type after the model was compiled).
func Mismatch(kind Kind, oid uint32) bool {
	k, ok := kindsByOID[oid]
	return ok && k != kind || uncastOIDs[oid]
}
