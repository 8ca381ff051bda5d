package records

import (
	"database/sql"
	"encoding/json"
	"strconv"
	"time"
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
	if scanKindOf(c.typ) == scanText && c.typ != "text" && c.typ != "email" && c.typ != "url" {
		return c.quoted + "::text AS " + c.quoted
	}
	return c.quoted
}

// Record is one row, in column order; it marshals to a JSON object in that order.
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

// MarshalJSON writes the record as an object with keys in column order.
func (r *Record) MarshalJSON() ([]byte, error) {
	b := make([]byte, 0, 64*len(r.cols))
	b = append(b, '{')
	for i, c := range r.cols {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendQuote(b, c.name)
		b = append(b, ':')
		v, err := json.Marshal(r.vals[i])
		if err != nil {
			return nil, err
		}
		b = append(b, v...)
	}
	return append(b, '}'), nil
}

// scanRow reads one row of cols into a Record.
func scanRow(rows *sql.Rows, cols []*column) (*Record, error) {
	dest := make([]any, len(cols))
	for i, c := range cols {
		switch scanKindOf(c.typ) {
		case scanInt:
			dest[i] = new(sql.NullInt64)
		case scanFloat:
			dest[i] = new(sql.NullFloat64)
		case scanBool:
			dest[i] = new(sql.NullBool)
		case scanTime:
			dest[i] = new(sql.NullTime)
		case scanJSON:
			dest[i] = new([]byte)
		default:
			dest[i] = new(sql.NullString)
		}
	}
	if err := rows.Scan(dest...); err != nil {
		return nil, err
	}
	vals := make([]any, len(cols))
	for i, d := range dest {
		vals[i] = jsonValue(d)
	}
	return &Record{cols: cols, vals: vals}, nil
}

func jsonValue(d any) any {
	switch v := d.(type) {
	case *sql.NullInt64:
		if v.Valid {
			return v.Int64
		}
	case *sql.NullFloat64:
		if v.Valid {
			return v.Float64
		}
	case *sql.NullBool:
		if v.Valid {
			return v.Bool
		}
	case *sql.NullTime:
		if v.Valid {
			return v.Time.UTC().Format(time.RFC3339Nano)
		}
	case *[]byte:
		if *v != nil {
			return json.RawMessage(*v)
		}
	case *sql.NullString:
		if v.Valid {
			return v.String
		}
	}
	return nil
}
