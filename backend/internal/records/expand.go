package records

import (
	"context"
	"strings"
)

// expand replaces the ids of the given relation columns with the related records: one
// query per relation, whatever the number of rows.
func (s *Service) expand(ctx context.Context, ts *Tables, cols []*column, recs []*Record) error {
	for _, c := range cols {
		target, ok := ts.ByName[c.field.RelatedModel]
		if !ok || len(recs) == 0 {
			continue
		}
		var a args
		seen := map[int64]bool{}
		var ph []string
		for _, r := range recs {
			if id, ok := r.Get(c.name); ok && id != nil && !seen[id.(int64)] {
				seen[id.(int64)] = true
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
			id, _ := r.Get("id")
			byID[id.(int64)] = r
		}
		for _, r := range recs {
			if id, ok := r.Get(c.name); ok && id != nil {
				r.set(c.name, byID[id.(int64)])
			}
		}
	}
	return nil
}
