package records

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"
	_ "time/tzdata" // hour buckets are written in the zone asked, on hosts without a zone database too

	"github.com/jackc/pgx/v5/pgconn"
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
		body, err := tbl.runAggregate(ctx, s.pool(), text, args, cols, agg.TZ, agg.Limit, MaxAnswerBytes)
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

// MaxAnswerBytes bounds the body of an aggregation's answer, which is built in memory:
// 10,000 rows of 8 groups of long texts and 32 measures could pass any bound else. An
// answer that passes it is refused (tooLarge), not cut: a cut answer looks whole.
const MaxAnswerBytes = 32 << 20

// runAggregate runs an aggregation's statement on the tenant's lane and writes its rows,
// refusing an answer that passes budget bytes.
func (t *Table) runAggregate(ctx context.Context, p onPool, text string, args []any, cols []aggColumn, tz string, limit, budget int) ([]byte, error) {
	var loc *time.Location
	for _, c := range cols {
		if c.kind == outHour {
			var err error
			if loc, err = zoneLocation(tz); err != nil {
				return nil, fmt.Errorf("records: zone %s: %w", tz, err) // Parse checked it
			}
		}
	}
	rows, err := p.queryFor(ctx, t, text, args)
	if err != nil {
		return nil, aggregateError(err, tz)
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
		if len(b) > budget {
			return nil, tooLarge(n, budget)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, aggregateError(err, tz)
	}
	return append(b, "]}"...), nil
}

// tooLarge refuses an answer that passed budget bytes at its row n, at limit: the
// caller narrows the query.
func tooLarge(n, budget int) error {
	var probs problem.List
	probs.Add("limit", problem.InvalidValue, map[string]any{"reason": fmt.Sprintf(
		"the answer passes %d MiB after %d rows: ask for fewer rows (limit), fewer or shorter groups, fewer measures, or filter", budget>>20, n)})
	return apperr.Validation("the aggregation's answer is too large", probs)
}

// aggregateError maps what Postgres refuses in an aggregation to the parameter that
// asked for it: a zone it does not know (one Go knows, on a server whose Postgres has
// an older zone database) and a float measure out of range (a sum past 1.8e308); the
// rest as records' (dbError).
func aggregateError(err error, tz string) error {
	var pg *pgconn.PgError
	if !errors.As(err, &pg) {
		return dbError(err)
	}
	var probs problem.List
	switch {
	case pg.Code == "22023" && strings.HasPrefix(pg.Message, "time zone"): // invalid_parameter_value
		probs.Add("tz", problem.UnknownTimezone, map[string]any{"name": tz})
	case pg.Code == "22003": // numeric_value_out_of_range
		probs.Add("measures", problem.InvalidValue, map[string]any{"reason": "a measure is out of the range of its type " +
			"(a sum or average of floats past about 1.8e308): filter out the largest values or measure fewer rows"})
	default:
		return dbError(err)
	}
	e := apperr.Validation("the database refused the aggregation", probs)
	e.Err = err
	return e
}

// zones are the time.Locations of hour buckets, loaded once per name: at most the
// names aggregate.KnownZone takes, as Parse refuses the others.
var zones sync.Map

func zoneLocation(name string) (*time.Location, error) {
	if loc, ok := zones.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	if aggregate.KnownZone(name) {
		zones.Store(name, loc)
	}
	return loc, nil
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
