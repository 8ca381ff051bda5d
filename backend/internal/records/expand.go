package records

import (
	"context"
	"strings"

	"forma.dev/backend/internal/query"
)

// expand replaces the ids of the given relation columns of tbl with the related records:
// one query per relation, whatever the number of rows. A value that is not an id (null,
// or a record an earlier expansion put in) is left as it is.
func (s *Service) expand(ctx context.Context, ts *Tables, tbl *Table, cols []*query.Column, recs []*Record) error {
	for _, qc := range cols {
		c := tbl.of(qc)
		target, ok := ts.ByName[c.field.RelatedModel]
		if !ok || len(recs) == 0 {
			continue
		}
		var a args
		seen := map[int64]bool{}
		var ph []string
		for _, r := range recs {
			if id, ok := idOf(r, c.name); ok && !seen[id] {
				seen[id] = true
				ph = append(ph, a.bind(id))
			}
		}
		if len(ph) == 0 {
			continue
		}
		query := "SELECT " + target.selectAll + " FROM " + target.qualified +
			" WHERE " + target.byName["id"].quoted + " IN (" + strings.Join(ph, ", ") + ")"
		related, err := target.query(ctx, s.DB, query, a, target.columns, len(ph))
		if err != nil {
			return err
		}
		byID := make(map[int64]*Record, len(related))
		for _, r := range related {
			if id, ok := idOf(r, "id"); ok {
				byID[id] = r
			}
		}
		for _, r := range recs {
			if id, ok := idOf(r, c.name); ok {
				r.set(c.name, byID[id])
			}
		}
	}
	return nil
}

// idOf returns the record's value of column name when it is an id.
func idOf(r *Record, name string) (int64, bool) {
	v, _ := r.Get(name)
	id, ok := v.(int64)
	return id, ok
}
