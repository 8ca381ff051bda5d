package records

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"time"
	_ "time/tzdata" // hour buckets are written in the zone asked, on hosts without a zone database too

	"github.com/jackc/pgx/v5/pgtype"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/jsonenc"
	"forma.dev/backend/internal/query"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/access"
	"forma.dev/shared/aggregate"
	"forma.dev/shared/problem"
)

// Aggregation is an aggregation's answer: its rows, written as {"data": [...]}.
type Aggregation struct {
	Version int64
	// JSON is the whole answer body.
	JSON []byte
}

// listOnly are list parameters that mean nothing to an aggregation.
var listOnly = [...]string{"cursor", "fields", "expand"}

// Aggregate answers an aggregation of a model's records (package aggregate): its
// parameters read by shared, its filters by the list's parser, in one statement on the
// tenant's lane like a list. A custom role aggregates what its list rule shows: the
// rows its filter lets it list, and none of the fields it cannot read, which it cannot
// group, measure, filter or sort by either.
func (s *Service) Aggregate(ctx context.Context, t tenantref.Ref, c Caller, model string, q url.Values, minVersion int64) (*Aggregation, error) {
	res := &Aggregation{}
	if c.custom() {
		if err := s.admit(ctx, t, c, model, access.List, minVersion); err != nil {
			return res, err
		}
	}
	err := s.withRetry(ctx, t, model, minVersion, func(ts *Tables, tbl *Table) error {
		var r *rule
		if c.custom() {
			var err error
			if r, err = tbl.rule(ts, c, access.List); err != nil {
				return err
			}
			if err := r.refuseAggregate(tbl, q); err != nil {
				return err
			}
		}
		agg, where, err := tbl.parseAggregate(q)
		if err != nil {
			return err
		}
		none := false
		if r != nil {
			conds, ok := r.where(c.Vars)
			where, none = append(where, conds...), !ok
		}
		text, args, cols := tbl.aggregateSQL(&agg, where, none)
		body, err := tbl.runAggregate(ctx, s.pool(), text, args, cols, agg.TZ, agg.Limit)
		res.Version, res.JSON = ts.Version, body
		return err
	})
	return res, err
}

// parseAggregate reads an aggregation's parameters (shared) and its filters (the list's
// parser), reporting every problem of both at once.
func (t *Table) parseAggregate(q url.Values) (aggregate.Query, []query.Condition, error) {
	var probs problem.List
	filters := aggregate.Filters(q)
	for _, k := range listOnly {
		if _, ok := filters[k]; ok {
			probs.Add(k, problem.NotAllowed, map[string]any{"attribute": k})
			delete(filters, k)
		}
	}
	lq, fprobs := t.ParseList(filters)
	agg, aprobs := aggregate.Parse(t.Model, q)
	probs = append(append(probs, fprobs...), aprobs...)
	if len(probs) > 0 {
		return agg, nil, apperr.Validation("the aggregation is not valid", probs)
	}
	return agg, lq.Where, nil
}

// refuseAggregate refuses, by name and before anything is parsed, the fields the role
// cannot read that an aggregation names: in its filters (as a list's) and its groups
// and measures (having and sort name those).
func (r *rule) refuseAggregate(t *Table, q url.Values) error {
	var probs problem.List
	filters := aggregate.Filters(q)
	for _, k := range listOnly {
		delete(filters, k) // refused as not_allowed by parseAggregate
	}
	if err := r.refuseNames(t, filters); err != nil {
		if e := apperr.As(err); e != nil {
			probs = append(probs, e.Problems...)
		}
	}
	for _, ref := range aggregate.FieldsNamed(q) {
		if !r.canName(t, ref.Field) {
			forbiddenField(&probs, ref.Param, ref.Field)
		}
	}
	if len(probs) > 0 {
		return apperr.Validation("the aggregation is not valid", probs)
	}
	return nil
}

// runAggregate runs an aggregation's statement on the tenant's lane and writes its rows.
func (t *Table) runAggregate(ctx context.Context, p onPool, text string, args []any, cols []aggColumn, tz string, limit int) ([]byte, error) {
	var loc *time.Location
	for _, c := range cols {
		if c.kind == outHour {
			var err error
			if loc, err = time.LoadLocation(tz); err != nil {
				return nil, fmt.Errorf("records: zone %s: %w", tz, err) // Parse checked it
			}
		}
	}
	rows, err := p.queryFor(ctx, t, text, args)
	if err != nil {
		return nil, dbError(err)
	}
	defer rows.Close()
	dests := make([]any, len(cols))
	for i, c := range cols {
		switch c.kind {
		case outString, outNumber:
			dests[i] = new(pgtype.Text)
		case outInt:
			dests[i] = new(pgtype.Int8)
		case outFloat:
			dests[i] = new(pgtype.Float8)
		case outBool:
			dests[i] = new(pgtype.Bool)
		case outTimestamp, outHour:
			dests[i] = new(pgtype.Timestamptz)
		}
	}
	b := make([]byte, 0, 64+min(limit, 64)*16*len(cols))
	b = append(b, `{"data":[`...)
	n := 0
	for rows.Next() {
		if err := rows.Scan(dests...); err != nil {
			return nil, fmt.Errorf("records: aggregation: %w", err)
		}
		if n > 0 {
			b = append(b, ',')
		}
		n++
		b = append(b, '{')
		for i, c := range cols {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(jsonenc.AppendString(b, c.key), ':')
			b = appendAggValue(b, c.kind, dests[i], loc)
		}
		b = append(b, '}')
	}
	if err := rows.Err(); err != nil {
		return nil, dbError(err)
	}
	return append(b, "]}"...), nil
}

func appendAggValue(b []byte, kind outKind, dest any, loc *time.Location) []byte {
	null := []byte("null")
	switch v := dest.(type) {
	case *pgtype.Text:
		switch {
		case !v.Valid:
			return append(b, null...)
		case kind == outNumber:
			return append(b, v.String...) // a numeric's text: digits, exactly
		}
		return jsonenc.AppendString(b, v.String)
	case *pgtype.Int8:
		if !v.Valid {
			return append(b, null...)
		}
		return strconv.AppendInt(b, v.Int64, 10)
	case *pgtype.Float8:
		if !v.Valid || math.IsNaN(v.Float64) || math.IsInf(v.Float64, 0) {
			return append(b, null...)
		}
		return jsonenc.AppendValue(b, v.Float64)
	case *pgtype.Bool:
		if !v.Valid {
			return append(b, null...)
		}
		return strconv.AppendBool(b, v.Bool)
	case *pgtype.Timestamptz:
		switch {
		case !v.Valid:
			return append(b, null...)
		case v.InfinityModifier == pgtype.Infinity:
			return append(b, `"infinity"`...)
		case v.InfinityModifier == pgtype.NegativeInfinity:
			return append(b, `"-infinity"`...)
		case kind == outHour:
			return jsonenc.AppendString(b, v.Time.In(loc).Format(time.RFC3339))
		}
		return jsonenc.AppendTime(b, v.Time) // as records write it
	}
	return append(b, null...)
}
