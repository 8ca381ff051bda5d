package records

import (
	"context"
	"encoding/json"
	"maps"
	"net/url"
	"strconv"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/query"
	"forma.dev/shared/problem"
)

// A list's total (?total=true) is the number of records its filters select, the role's
// list rule included, whatever the page: counted exactly up to the service's
// TotalExactMax, and past it Postgres's planner's estimate, marked as such
// (Page.TotalEstimated). The page and its count are read in one REPEATABLE READ READ
// ONLY transaction, pipelined: the same snapshot.

// DefaultTotalExactMax is how many records a total counts exactly unless
// Service.TotalExactMax says otherwise (FORMA_TOTAL_EXACT_MAX).
const DefaultTotalExactMax = 10_000

// TotalParam is the list parameter that asks for the total.
const TotalParam = "total"

func (s *Service) totalExactMax() int64 {
	if s.TotalExactMax > 0 {
		return s.TotalExactMax
	}
	return DefaultTotalExactMax
}

// takeTotal reads ?total= off a list query of t: whether the total is asked for, and the
// query without it. A model with a field named total keeps ?total= as that field's
// filter, and has no total.
func (t *Table) takeTotal(q url.Values) (bool, url.Values, error) {
	vs, ok := q[TotalParam]
	if !ok || t.byName[TotalParam] != nil {
		return false, q, nil
	}
	var probs problem.List
	switch {
	case len(vs) > 1:
		probs.Add(TotalParam, problem.Duplicate, map[string]any{"name": TotalParam})
	case vs[0] != "true" && vs[0] != "false":
		probs.Add(TotalParam, problem.Choice, map[string]any{"choices": []string{"true", "false"}})
	}
	if len(probs) > 0 {
		return false, nil, apperr.Validation("the query is not valid", probs)
	}
	rest := maps.Clone(q)
	delete(rest, TotalParam)
	return vs[0] == "true", rest, nil
}

// listCounted runs a parsed list query and counts what its filters select (not its
// cursor), exactly up to exactMax, in one snapshot on a connection of lane.
func (t *Table) listCounted(ctx context.Context, p onPool, lane string, lq query.List, exactMax int64) (*Page, error) {
	cols, shown := t.listColumns(lq)
	text, args := t.listSQL(lq, selectList(cols))
	countText, countArgs := t.countSQL(lq, exactMax)
	conn, err := p.acquireFor(ctx, lane)
	if err != nil {
		return nil, err
	}
	defer conn.Release()
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }() // read only: nothing to keep
	var b pgx.Batch
	b.Queue(text, args...)
	b.Queue(countText, countArgs...)
	br := tx.SendBatch(ctx, &b)
	rows, err := br.Query()
	var recs []*Record
	if err == nil {
		recs, err = readRows(rows, cols, lq.Limit+1)
	} else {
		err = dbError(err)
	}
	var n int64
	if err == nil {
		err = br.QueryRow().Scan(&n)
	}
	if err2 := br.Close(); err == nil && err2 != nil {
		err = dbError(err2)
	}
	if err != nil {
		return nil, err
	}
	page := t.pageOf(recs, lq, cols, shown)
	page.Total = &n
	if n > exactMax {
		page.TotalEstimated = true
		if est, err := t.estimate(ctx, tx, lq); err == nil && est > n {
			page.Total = &est
		} else if err != nil {
			return nil, err
		}
	}
	return page, nil
}

// countSQL counts the rows lq's filters select, at most exactMax+1 of them.
func (t *Table) countSQL(lq query.List, exactMax int64) (string, []any) {
	text, a := t.whereSQL(lq, "1")
	return "SELECT count(*) FROM (" + text + " LIMIT " + strconv.FormatInt(exactMax+1, 10) + ") AS counted", a
}

// estimate is the planner's estimate of the rows lq's filters select.
func (t *Table) estimate(ctx context.Context, q Querier, lq query.List) (int64, error) {
	text, a := t.whereSQL(lq, "1")
	var plan []struct {
		Plan struct {
			Rows float64 `json:"Plan Rows"`
		}
	}
	var out []byte
	if err := queryRow(ctx, q, "EXPLAIN (FORMAT JSON) "+text, a, &out); err != nil {
		return 0, dbError(err)
	}
	if err := json.Unmarshal(out, &plan); err != nil || len(plan) == 0 {
		return 0, err
	}
	return int64(plan[0].Plan.Rows), nil
}

// whereSQL is selectSQL of lq's filters alone: no cursor, no order.
func (t *Table) whereSQL(lq query.List, cols string) (string, []any) {
	lq.After, lq.Sort = nil, nil
	return t.selectSQL(lq, cols)
}
