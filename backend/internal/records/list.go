package records

import (
	"context"
	"strings"
	"time"
)

// Page is one page of a list.
type Page struct {
	Data       []*Record `json:"data"`
	NextCursor *string   `json:"next_cursor"`
}

// listBatched runs a parsed list query with the lists of its statement that wait from
// other requests (listRowsBatched); q is shared by those requests: together decides.
func (t *Table) listBatched(ctx context.Context, q batchQuerier, lq ListQuery) (*Page, error) {
	return t.list(ctx, q, q, lq)
}

// listDirect runs a parsed list query on q, alone.
func (t *Table) listDirect(ctx context.Context, q Querier, lq ListQuery) (*Page, error) {
	return t.list(ctx, q, nil, lq)
}

// list runs a parsed list query: one statement, whatever the page size, batched through
// bq when it is set and on q alone when not.
func (t *Table) list(ctx context.Context, q Querier, bq batchQuerier, lq ListQuery) (*Page, error) {
	cols, shown := t.listColumns(lq)
	selected := t.selectAll
	if len(lq.fields) > 0 {
		exprs := make([]string, len(cols))
		for i, c := range cols {
			exprs[i] = selectExpr(c)
		}
		selected = strings.Join(exprs, ", ")
	}
	query, args := t.listSQL(lq, selected)
	var recs []*Record
	var err error
	if bq != nil {
		recs, err = t.listRowsBatched(ctx, bq, query, args, cols, lq.limit+1)
	} else {
		recs, err = t.query(ctx, q, query, args, cols, lq.limit+1)
	}
	if err != nil {
		return nil, err
	}
	page := &Page{Data: recs}
	if len(recs) > lq.limit {
		page.Data = recs[:lq.limit]
		last := page.Data[lq.limit-1]
		values := make([]any, len(lq.sort))
		for i, k := range lq.sort {
			v, _ := last.Get(k.col.name)
			values[i] = cursorValue(v)
		}
		c := encodeCursor(lq.sort, values)
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
	return page, nil
}

// listColumns returns the columns to select: every column, or the requested ones
// followed by the sort keys the cursor needs; shown is how many of them the client sees.
func (t *Table) listColumns(lq ListQuery) (cols []*column, shown int) {
	if len(lq.fields) == 0 {
		return t.columns, len(t.columns)
	}
	cols = append(cols, lq.fields...)
	shown = len(cols)
	for _, k := range lq.sort {
		if !containsColumn(cols, k.col) {
			cols = append(cols, k.col)
		}
	}
	return cols, shown
}

// cursorValue is a sort key value as the cursor holds it: datetimes as the RFC 3339 text
// the API shows (time.Time's own JSON form refuses years past 9999).
func cursorValue(v any) any {
	if t, ok := v.(time.Time); ok {
		return t.UTC().Format(time.RFC3339Nano)
	}
	return v
}

func containsColumn(cols []*column, c *column) bool {
	for _, x := range cols {
		if x == c {
			return true
		}
	}
	return false
}
