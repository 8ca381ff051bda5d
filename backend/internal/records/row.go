package records

import "forma.dev/backend/internal/wire"

// selectExpr is the column as the select list reads it: types whose canonical JSON
// form is Postgres' own text form are cast to text, so no conversion runs in Go.
func selectExpr(c *column) string {
	if c.cast {
		return c.quoted + "::text AS " + c.quoted
	}
	return c.quoted
}

// Record is one row, in column order; it marshals to a JSON object in that order.
// Values are nil, int64, float64, bool, string, time.Time (datetime columns, UTC),
// "infinity" or "-infinity" (datetimes only SQL can store), json.RawMessage (json
// columns), or a *Record put in by expand. Rows read from Postgres hold their int64,
// string and time.Time values as pointers into slabs shared by the rows of one query,
// so that a value costs no allocation of its own (package wire); Get hides that.
type Record struct {
	cols []*column
	vals []any
}

// Get returns the value of a column and whether the record holds it.
func (r *Record) Get(name string) (any, bool) {
	for i, c := range r.cols {
		if c.name == name {
			return wire.Deref(r.vals[i]), true
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

// Name is the column's name (wire.Column).
func (c *column) Name() string { return c.name }

// Kind is how the column is read (wire.Column).
func (c *column) Kind() wire.Kind { return c.kind }
