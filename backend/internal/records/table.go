// Package records serves records of runtime-defined models: each model is compiled once
// per schema version into a Table that holds everything the hot path needs (quoted
// column lists, value codecs, statement text), and requests only bind values to it.
package records

import (
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/jsonenc"
	"forma.dev/backend/internal/query"
	"forma.dev/shared/fieldtype"
	"forma.dev/shared/problem"
	"forma.dev/shared/record"
	"forma.dev/shared/schema"
)

// column is one column of a compiled table: a system column or a field.
type column struct {
	name    string
	pos     int // its place in Table.columns
	quoted  string
	jsonKey string // the name as a JSON object key with its colon: "name":
	typ     string
	facts   // of its type
	codec   fieldtype.Codec
	field   *schema.Field // nil for system columns
	q       query.Column  // what the query language knows of it
}

// Table is a model compiled for one schema version of one tenant.
type Table struct {
	Model schema.Model
	// id is this compilation's own: statements described for it (db.Statements) are
	// never used with another version of the model, whose texts may be the same.
	id        uint64
	qualified string // "t_acme"."event"
	ident     pgx.Identifier
	columns   []*column
	byName    map[string]*column
	selectAll string // the select list of every column, in table order
	getSQL    string // reads one row by id ($1)
	// getManySQL reads the rows of several ids ($1, an array): batched reads by id.
	getManySQL string
	gets       batch.Batcher[int64, []*Record]
	lists      listBatchers
	creates    batch.Batcher[insertCall, []*Record] // single-row creates, committed in groups (groupcommit.go)
	// texts are the statements of single-row inserts and updates (texts.go);
	// deleteSQL deletes one row by id ($1), without and with an If-Match ($2).
	texts     statementTexts
	deleteSQL [2]string
	validator *record.Validator
	// autoOnCreate are the datetime fields with auto_now or auto_now_add: set to now()
	// by every insert, whatever the column default.
	autoOnCreate []*column
	// rules are the custom roles' rules for this model, compiled (policy.go).
	rules rules
}

// compiled numbers the tables compiled in this process.
var compiled atomic.Uint64

// Compile builds the Table for model m living in Postgres schema pgSchema. m must be valid.
func Compile(pgSchema string, m schema.Model) (*Table, error) {
	t := &Table{
		id:        compiled.Add(1),
		Model:     m,
		qualified: pgx.Identifier{pgSchema, m.Name}.Sanitize(),
		ident:     pgx.Identifier{pgSchema, m.Name},
		byName:    make(map[string]*column, len(m.Fields)+len(schema.SystemColumns)),
	}
	for _, name := range schema.SystemColumns {
		typName := schema.SystemColumnType(name)
		typ, _ := fieldtype.Lookup(typName)
		t.add(&column{name: name, typ: typName, codec: typ.Compile(nil)})
	}
	for i := range m.Fields {
		f := &t.Model.Fields[i]
		typ, ok := fieldtype.Lookup(f.Type)
		if _, served := factsByType[f.Type]; !ok || !served {
			return nil, &UnknownTypeError{Model: m.Name, Field: f.Name, Type: f.Type}
		}
		t.add(&column{name: f.Name, typ: f.Type, codec: typ.Compile(f.Options), field: f})
	}
	exprs := make([]string, len(t.columns))
	for i, c := range t.columns {
		exprs[i] = selectExpr(c)
	}
	t.selectAll = strings.Join(exprs, ", ")
	byID := "SELECT " + t.selectAll + " FROM " + t.qualified + " WHERE " + t.byName[schema.ColumnID].quoted
	t.getSQL, t.getManySQL = byID+" = $1", byID+" = ANY($1)"
	del := "DELETE FROM " + t.qualified + " WHERE " + t.byName[schema.ColumnID].quoted + " = $1"
	t.deleteSQL = [2]string{del + " RETURNING " + t.returning(), del + " AND " + etagSQL + " = $2 RETURNING " + t.returning()}
	t.gets.Flights, t.gets.Size = maxGetFlights, maxGetBatch
	t.creates.Flights, t.creates.Size = maxCreateFlights, maxCreateBatch
	v, err := record.Compile(m)
	if err != nil {
		return nil, err
	}
	t.validator = v
	for _, f := range v.Fields() {
		if f.AutoNow || f.AutoNowAdd {
			t.autoOnCreate = append(t.autoOnCreate, t.byName[f.Name])
		}
	}
	return t, nil
}

func (t *Table) add(c *column) {
	c.pos = len(t.columns)
	c.quoted = pgx.Identifier{c.name}.Sanitize()
	c.jsonKey = string(jsonenc.AppendString(nil, c.name)) + ":"
	c.facts = factsByType[c.typ]
	c.q = query.Column{Name: c.name, Pos: c.pos, Codec: c.codec, Kind: c.kind,
		Lookups: c.lookups, Sortable: c.sortable, Relation: c.relation}
	t.columns = append(t.columns, c)
	t.byName[c.name] = c
}

// UnknownTypeError reports a stored definition whose type this build does not know.
type UnknownTypeError struct{ Model, Field, Type string }

func (e *UnknownTypeError) Error() string {
	return "records: model " + e.Model + " field " + e.Field + " has unknown type " + e.Type
}

// Column returns what the query language knows of the named column (query.Columns).
func (t *Table) Column(name string) (*query.Column, bool) {
	c, ok := t.byName[name]
	if !ok {
		return nil, false
	}
	return &c.q, true
}

// of is the table's column that the query language knows as c.
func (t *Table) of(c *query.Column) *column { return t.columns[c.Pos] }

// ParseList reads a list request's query string (query.ParseList).
func (t *Table) ParseList(q url.Values) (query.List, problem.List) { return query.ParseList(t, q) }

// Validator checks records written to this table.
func (t *Table) Validator() *record.Validator { return t.validator }

func (t *Table) returning() string { return t.selectAll }
