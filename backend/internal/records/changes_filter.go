package records

import (
	"context"
	"net/url"
	"strings"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/problem"
)

// ChangeFilter is what a change stream of a model selects and shows (package changes):
// the records a list with the same filters would select, narrowed and trimmed as the
// caller's get rule narrows and trims a get. It is the list path's own SQL, compiled
// once when the stream opens, to run on each logged record as a row of the table.
type ChangeFilter struct {
	// Version is the schema version the filter was compiled with.
	Version int64
	// RowType is the table's row type (its qualified name), into which a logged record
	// is read: json_populate_record(NULL::<RowType>, record).
	RowType string
	// Where are the conditions over the table's columns (unqualified), their values
	// bound from $2 on (Args); "" when every record is selected.
	Where string
	Args  []any
	// None: the filter selects no record for this caller (a rule's claim it lacks).
	None bool
	// Fields are the names each record keeps, in order; nil keeps every field.
	Fields []string
}

// streamRefused are the list parameters a change stream does not take: it has no pages
// and no order but commit order.
var streamRefused = []string{"sort", "limit", "cursor", "expand"}

// ChangeFilter compiles the change stream of model for caller c with the list query q
// (filters and fields): a 400 for what the list would refuse, and for sort, limit,
// cursor and expand; a 403 when c's role may not get the model's records.
func (s *Service) ChangeFilter(ctx context.Context, t tenantref.Ref, c Caller, model string, q url.Values, minVersion int64) (*ChangeFilter, error) {
	var probs problem.List
	for _, p := range streamRefused {
		if _, ok := q[p]; ok {
			probs = append(probs, problem.Problem{Path: p, Code: problem.NotAllowed,
				Message: "is not a query parameter of a change stream", Params: map[string]any{"attribute": p}})
		}
	}
	if len(probs) > 0 {
		return nil, apperr.Validation("the query is not valid", probs)
	}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.Get, minVersion); err != nil {
			return nil, err
		}
	}
	ts, tbl, err := s.table(ctx, t, model, minVersion)
	if err != nil {
		return nil, err
	}
	var r *rule
	if c.custom() {
		if r, err = tbl.rule(ts, c, access.Get); err != nil {
			return nil, err
		}
		if err := r.refuseNames(tbl, q); err != nil {
			return nil, err
		}
	}
	lq, probs := tbl.ParseList(q)
	if len(probs) > 0 {
		return nil, apperr.Validation("the query is not valid", probs)
	}
	f := &ChangeFilter{Version: ts.Version, RowType: tbl.qualified}
	if r != nil {
		f.None, _ = r.narrowList(tbl, c, &lq)
		if !r.all && len(r.cols) == 0 {
			f.Fields = []string{} // nothing readable: every record shows as {}
			lq.Fields = nil
		}
	}
	for _, col := range lq.Fields {
		f.Fields = append(f.Fields, col.Name)
	}
	a := args{nil} // $1: the positions of the logged changes
	conds := make([]string, len(lq.Where))
	for i, cond := range lq.Where {
		conds[i] = tbl.conditionSQL(cond, &a)
	}
	f.Where, f.Args = strings.Join(conds, " AND "), a[1:]
	return f, nil
}
