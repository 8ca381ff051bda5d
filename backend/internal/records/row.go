package records

import (
	"database/sql"
	"encoding/json"
)

// scanKind says how a column is read back from Postgres and written as JSON.
type scanKind uint8

const (
	scanText scanKind = iota // read as text: text, email, url, decimal, date, time, uuid
	scanInt
	scanFloat
	scanBool
	scanTime
	scanJSON
)

func scanKindOf(typ string) scanKind {
	switch typ {
	case "integer", "relation":
		return scanInt
	case "float":
		return scanFloat
	case "boolean":
		return scanBool
	case "datetime":
		return scanTime
	case "json":
		return scanJSON
	}
	return scanText
}

// selectExpr is the column as the select list reads it: types whose canonical JSON
// form is Postgres' own text form are cast to text, so no conversion runs in Go.
func selectExpr(c *column) string {
	if c.kind == scanText && c.typ != "text" && c.typ != "email" && c.typ != "url" {
		return c.quoted + "::text AS " + c.quoted
	}
	return c.quoted
}

// Record is one row, in column order; it marshals to a JSON object in that order.
// Values are as the driver reads them: nil, int64, float64, bool, string, time.Time
// (datetime columns), json.RawMessage (json columns), or a *Record put in by expand.
type Record struct {
	cols []*column
	vals []any
}

// Get returns the value of a column and whether the record holds it.
func (r *Record) Get(name string) (any, bool) {
	for i, c := range r.cols {
		if c.name == name {
			return r.vals[i], true
		}
	}
	return nil, false
}

func (r *Record) set(name string, v any) {
	for i, c := range r.cols {
		if c.name == name {
			r.vals[i] = v
		}
	}
}

// rowScanner reads the rows of one query. database/sql hands a *any destination the
// driver's value as it is, so scanning costs no holder, conversion or boxing of ours:
// only each row's Record and its values.
type rowScanner struct {
	cols []*column
	dest []any // &vals[i] of the row being read
}

func newRowScanner(cols []*column) *rowScanner {
	return &rowScanner{cols: cols, dest: make([]any, len(cols))}
}

func (s *rowScanner) scan(rows *sql.Rows) (*Record, error) {
	vals := make([]any, len(s.cols))
	for i := range vals {
		s.dest[i] = &vals[i]
	}
	if err := rows.Scan(s.dest...); err != nil {
		return nil, err
	}
	for i, c := range s.cols {
		if b, ok := vals[i].([]byte); ok && c.kind == scanJSON {
			vals[i] = json.RawMessage(b)
		}
	}
	return &Record{cols: s.cols, vals: vals}, nil
}
