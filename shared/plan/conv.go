package plan

import (
	"strconv"
	"strings"
)

// Conv is how a column of one field type becomes a column of another (ALTER COLUMN ...
// TYPE ... USING Cast).
type Conv struct {
	// Cast is the USING expression: {col} stands for the quoted column and {type} for the
	// new column type without modifiers ("varchar", "numeric", "bigint").
	Cast string `json:"cast"`
	// MayFail is true when some existing values cannot convert (the ALTER then fails).
	MayFail bool `json:"may_fail"`
	// DataLoss is true when values convert with less information (rounding, truncation).
	DataLoss bool `json:"data_loss"`
}

// Conversion tells how a field of type from can become a field of type to; false when it
// cannot, and the field's column must be dropped and added again. Any type converts to
// itself (an option change); bounds of the new column (varchar(n), numeric(p,s)) add
// MayFail or DataLoss on top, which the planner works out from the column types.
func Conversion(from, to string) (Conv, bool) {
	if from == to {
		return Conv{Cast: "{col}::{type}"}, true
	}
	c, ok := conversions[[2]string{from, to}]
	return c, ok
}

var (
	textual  = []string{"text", "email", "url"}
	scalars  = []string{"integer", "float", "decimal", "boolean", "date", "datetime", "time", "uuid", "relation"}
	fromJSON = []string{"integer", "float", "decimal", "boolean", "date", "datetime", "time", "uuid"}
)

// conversions lists every allowed retype between two different types.
var conversions = map[[2]string]Conv{}

func init() {
	add := func(c Conv, from []string, to ...string) {
		for _, f := range from {
			for _, t := range to {
				if f != t {
					conversions[[2]string{f, t}] = c
				}
			}
		}
	}
	one := func(s string) []string { return []string{s} }
	safe := Conv{Cast: "{col}::{type}"}
	add(safe, textual, textual...)
	add(Conv{Cast: "{col}::text"}, scalars, textual...)
	add(Conv{Cast: "{col}::{type}", MayFail: true}, textual, scalars...)
	add(Conv{Cast: "to_jsonb({col})"}, append(append([]string{}, textual...), scalars...), "json")
	add(Conv{Cast: "{col} #>> '{}'"}, one("json"), textual...)
	add(Conv{Cast: "({col} #>> '{}')::{type}", MayFail: true}, one("json"), fromJSON...)
	add(safe, one("integer"), "float", "decimal", "relation")
	add(safe, one("relation"), "integer")
	add(Conv{Cast: "{col}::{type}", MayFail: true, DataLoss: true}, []string{"float", "decimal"}, "integer")
	add(Conv{Cast: "{col}::{type}", MayFail: true, DataLoss: true}, one("float"), "decimal")
	add(Conv{Cast: "{col}::{type}", DataLoss: true}, one("decimal"), "float")
	add(Conv{Cast: "{col}::int::{type}"}, one("boolean"), "integer")
	add(Conv{Cast: "{col} <> 0", DataLoss: true}, one("integer"), "boolean")
	add(safe, one("date"), "datetime")
	add(Conv{Cast: "{col}::{type}", DataLoss: true}, one("datetime"), "date", "time")
}

// retype returns the conversion of a column from oldCol (field type from) to newCol
// (type to), with {type} filled in and the new column's bounds taken into account.
func retype(from, to, oldCol, newCol string) (Conv, bool) {
	c, ok := Conversion(from, to)
	if !ok {
		return c, false
	}
	base, _ := splitColumn(newCol)
	c.Cast = strings.ReplaceAll(c.Cast, "{type}", base)
	fail, loss := narrowing(oldCol, newCol)
	c.MayFail = c.MayFail || fail
	c.DataLoss = c.DataLoss || loss
	return c, true
}

// narrowing tells whether values of column type oldCol may not fit newCol (MayFail: a
// shorter varchar, fewer integer digits) or fit only rounded (DataLoss: a smaller scale).
func narrowing(oldCol, newCol string) (mayFail, dataLoss bool) {
	ob, oa := splitColumn(oldCol)
	nb, na := splitColumn(newCol)
	switch {
	case len(na) == 0:
		return false, false
	case ob != nb || len(oa) == 0:
		return true, ob == nb && len(na) == 2
	case len(oa) != len(na):
		return true, false
	case len(na) == 1:
		return na[0] < oa[0], false
	}
	return na[0]-na[1] < oa[0]-oa[1], na[1] < oa[1]
}

// splitColumn splits "numeric(10,2)" into "numeric" and [10 2].
func splitColumn(col string) (string, []int) {
	base, rest, ok := strings.Cut(col, "(")
	if !ok || !strings.HasSuffix(rest, ")") {
		return col, nil
	}
	var args []int
	for _, a := range strings.Split(strings.TrimSuffix(rest, ")"), ",") {
		n, err := strconv.Atoi(strings.TrimSpace(a))
		if err != nil {
			return col, nil
		}
		args = append(args, n)
	}
	return strings.TrimSpace(base), args
}
