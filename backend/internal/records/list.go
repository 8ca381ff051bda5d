package records

import (
	"context"
	"strings"

	"forma.dev/backend/internal/query"
)

// Page is one page of a list.
type Page struct {
	Data       []*Record `json:"data"`
	NextCursor *string   `json:"next_cursor"`
	// Total, when the list asked for it, is how many records its filters select;
	// TotalEstimated says it is the planner's estimate (list_total.go).
	Total          *int64 `json:"total,omitempty"`
	TotalEstimated bool   `json:"total_estimated,omitempty"`
}

// listBatched runs a parsed list query with the lists of its statement that wait from
// other requests (listRowsBatched); q is shared by those requests: together decides.
func (t *Table) listBatched(ctx context.Context, q batchQuerier, lq query.List) (*Page, error) {
	return t.list(ctx, q, q, lq)
}

// listDirect runs a parsed list query on q, alone.
func (t *Table) listDirect(ctx context.Context, q Querier, lq query.List) (*Page, error) {
	return t.list(ctx, q, nil, lq)
}

// list runs a parsed list query: one statement, whatever the page size, batched through
// bq when it is set and on q alone when not.
func (t *Table) list(ctx context.Context, q Querier, bq batchQuerier, lq query.List) (*Page, error) {
	cols, shown := t.listColumns(lq)
	selected := t.selectAll
	if len(lq.Fields) > 0 {
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = selectExpr(c)
		}
		selected = strings.Join(exprs, ", ")
	}
	text, args := t.listSQL(lq, selected)
	var recs []*Record
	var err error
	if bq != nil {
		recs, err = t.listRowsBatched(ctx, bq, text, args, cols, lq.Limit+1)
	} else {
		recs, err = t.query(ctx, q, text, args, cols, lq.Limit+1)
	}
	if err != nil {
		return nil, err
	}
	return t.pageOf(recs, lq, cols, shown), nil
}

// pageOf makes the page of a list's records, read with one more than its limit: its
// cursor when there is a next page, its records trimmed to the columns shown.
func (t *Table) pageOf(recs []*Record, lq query.List, cols []*column, shown int) *Page {
	page := &Page{Data: recs}
	if len(recs) > lq.Limit {
		page.Data = recs[:lq.Limit]
		last := page.Data[lq.Limit-1]
		values := make([]any, len(lq.Sort))
		for i, k := range lq.Sort {
			values[i], _ = last.Get(k.Col.Name)
		}
		c := query.EncodeCursor(lq.Sort, values)
		page.NextCursor = &c
	}
	if shown < len(cols) {
		for _, r := range page.Data {
			r.cols, r.vals = r.cols[:shown], r.vals[:shown]
		}
	}
	if page.Data == nil {
		page.Data = []*Record{}
	}
	return page
}

// listColumns returns the columns to select: every column, or the requested ones
// followed by the sort keys the cursor needs; shown is how many of them the client sees.
func (t *Table) listColumns(lq query.List) (cols []*column, shown int) {
	if len(lq.Fields) == 0 {
		return t.columns, len(t.columns)
	}
	cols = make([]*column, 0, len(lq.Fields)+len(lq.Sort))
	for _, c := range lq.Fields {
		cols = append(cols, t.of(c))
	}
	shown = len(cols)
	for _, k := range lq.Sort {
		if c := t.of(k.Col); !containsColumn(cols, c) {
			cols = append(cols, c)
		}
	}
	return cols, shown
}

func containsColumn(cols []*column, c *column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}
