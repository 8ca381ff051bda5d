package records

import (
	"context"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/batch"
	"forma.dev/backend/internal/query"
)

// A custom role's gets by id are batched as a built-in role's are (getbatch.go): the
// gets of one rule's statement that wait go together, and those among them with the same
// condition values (all of them for a rule of constants; for a rule of $auth variables,
// those of callers with the same values) as ONE
//
//	SELECT <the rule's select list> FROM t WHERE id = ANY($1) AND <its conditions>
//
// with the ids bound as one array and the conditions' values after. The calls of a batch
// with other values go in the same round trip, as a pipeline of one such statement per
// set of values. A row outside the filter answers nil to its calls only.

// roleGet is one get by id through a rule: the id and the values its conditions bind.
type roleGet struct {
	id   int64
	vals []any
}

type roleGetCall = batch.Call[roleGet, []*Record]

// roleGetShape is one statement of a rule's gets: its texts, which read one id ($1) or
// several (an array in $1), the conditions bound from $2 on, and its batcher.
type roleGetShape struct {
	batch.Batcher[roleGet, []*Record]
	one, many string
}

// getShape returns the statement of r's gets with conditions conds, its texts rendered
// once per rule and shape of its conditions (the number of values of an __in, whether an
// __isnull asks for null); nil once the rule keeps batch.MaxShapes of them.
func (r *rule) getShape(t *Table, conds []query.Condition) *roleGetShape {
	var buf [64]byte
	key := condShape(buf[:0], conds)
	if s, ok := r.gets.Lookup(string(key)); ok {
		return s
	}
	s := &roleGetShape{}
	s.Flights, s.Size = maxGetFlights, maxGetBatch
	s.one, s.many = t.getWhereTexts(r.selectList, conds)
	if s, kept := r.gets.Keep(string(key), s); kept {
		return s
	}
	return nil
}

// condShape appends what of conds the statement text depends on.
func condShape(key []byte, conds []query.Condition) []byte {
	for _, c := range conds {
		switch c.Lookup {
		case query.In:
			key = strconv.AppendInt(key, int64(len(c.Values)), 10)
		case query.IsNull:
			key = strconv.AppendBool(key, c.Value.(bool))
		}
		key = append(key, ',')
	}
	return key
}

// getWhereTexts renders the texts of a read by id ($1) and by ids (ANY($1)) of the
// select list list with conds, their values bound from $2 on as condArgs appends them.
func (t *Table) getWhereTexts(list string, conds []query.Condition) (one, many string) {
	a := args{nil} // $1: the id or ids
	var b strings.Builder
	for _, c := range conds {
		b.WriteString(" AND " + t.conditionSQL(c, &a))
	}
	head := "SELECT " + list + " FROM " + t.qualified + " WHERE " + t.columns[0].quoted
	return head + " = $1" + b.String(), head + " = ANY($1)" + b.String()
}

// condArgs appends the values conditionSQL binds for conds, in its order.
func condArgs(a []any, conds []query.Condition) []any {
	for _, c := range conds {
		switch c.Lookup {
		case query.IsNull:
		case query.In:
			a = append(a, c.Values...)
		case query.Contains, query.IContains:
			a = append(a, "%"+escapeLike(c.Value.(string))+"%")
		case query.StartsWith:
			a = append(a, escapeLike(c.Value.(string))+"%")
		default:
			a = append(a, c.Value)
		}
	}
	return a
}

// getRoleBatched reads one row by id through the statement's batcher, with the gets of
// other requests that wait; nil when there is none or it is outside the filter. q must
// be shared by those requests (the pool): together decides.
func (t *Table) getRoleBatched(ctx context.Context, q Querier, s *roleGetShape, cols []*column, id int64, vals []any) (*Record, error) {
	recs, err := s.Do(ctx, roleGet{id, vals}, func(ctx context.Context, calls []*roleGetCall) {
		t.fetchRoleGets(ctx, q, s, cols, calls)
	})
	if err != nil || len(recs) == 0 {
		return nil, err
	}
	return recs[0], nil
}

// fetchRoleGets reads the calls' rows: one statement per set of condition values, the
// statements of several sets in one pipeline. In a pipeline a statement that fails makes
// the ones after it fail too, so each set whose statement failed runs again alone.
func (t *Table) fetchRoleGets(ctx context.Context, q Querier, s *roleGetShape, cols []*column, calls []*roleGetCall) {
	groups := groupByVals(calls)
	bq, canPipe := q.(batchQuerier)
	if len(groups) == 1 || !canPipe {
		for _, g := range groups {
			readByID(ctx, t, q, s.one, s.many, cols, g[0].Arg.vals, g, roleGetID)
		}
		return
	}
	var b pgx.Batch
	for _, g := range groups {
		ids := make([]int64, len(g))
		for i, c := range g {
			ids[i] = c.Arg.id
		}
		b.Queue(s.many, append([]any{ids}, g[0].Arg.vals...)...)
	}
	var br pgx.BatchResults
	if p, ok := q.(onPool); ok {
		br = p.sendBatchFor(ctx, t, &b) // on the tenant's lane
	} else {
		br = bq.SendBatch(ctx, &b)
	}
	var failed [][]*roleGetCall
	for _, g := range groups {
		rows, err := br.Query()
		var recs []*Record
		if err == nil {
			recs, err = readRows(rows, cols, len(g))
		}
		if err != nil {
			failed = append(failed, g)
			continue
		}
		answerByID(g, recs, nil, roleGetID)
	}
	_ = br.Close() // every statement's outcome is read above
	for _, g := range failed {
		readByID(ctx, t, q, s.one, s.many, cols, g[0].Arg.vals, g, roleGetID)
	}
}

func roleGetID(a roleGet) int64 { return a.id }

// groupByVals splits calls by their condition values, in order of first arrival.
func groupByVals(calls []*roleGetCall) [][]*roleGetCall {
	groups := [][]*roleGetCall{calls[:0:0]}
	groups[0] = append(groups[0], calls[0])
next:
	for _, c := range calls[1:] {
		for i, g := range groups {
			if sameVals(g[0].Arg.vals, c.Arg.vals) {
				groups[i] = append(g, c)
				continue next
			}
		}
		groups = append(groups, []*roleGetCall{c})
	}
	return groups
}

// sameVals reports whether two sets of values bind the same. It may answer false for
// values that would (those run as statements of their own), never true for others.
func sameVals(x, y []any) bool {
	if len(x) != len(y) {
		return false
	}
	for i := range x {
		if !sameVal(x[i], y[i]) {
			return false
		}
	}
	return true
}

func sameVal(x, y any) bool {
	switch xv := x.(type) {
	case string:
		yv, ok := y.(string)
		return ok && xv == yv
	case int64:
		yv, ok := y.(int64)
		return ok && xv == yv
	case float64:
		yv, ok := y.(float64)
		return ok && xv == yv
	case bool:
		yv, ok := y.(bool)
		return ok && xv == yv
	case json.Number:
		yv, ok := y.(json.Number)
		return ok && xv == yv
	}
	return reflect.DeepEqual(x, y)
}
