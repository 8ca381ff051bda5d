package records

import (
	"context"
	"strings"

	"forma.dev/backend/internal/query"
	"forma.dev/shared/access"
)

// expand replaces the ids of the given relation columns of tbl with the related records:
// one query per relation, whatever the number of rows. A value that is not an id (null,
// or a record an earlier expansion put in) is left as it is. For a custom role the
// related model's get rule applies: a related record it may not read stays its id.
func (s *Service) expand(ctx context.Context, ts *Tables, tbl *Table, caller Caller, cols []*query.Column, recs []*Record) error {
	for _, qc := range cols {
		c := tbl.of(qc)
		target, ok := ts.ByName[c.field.RelatedModel]
		if !ok || len(recs) == 0 {
			continue
		}
		selected, shown, trim, list := target.columns, target.columns, false, target.selectAll
		var conds []query.Condition
		if caller.custom() {
			r, err := target.rule(ts, caller, access.Get)
			if err != nil {
				continue
			}
			if conds, ok = r.where(caller.Vars); !ok {
				continue
			}
			selected, trim = r.selected, r.trim
			shown, list = r.cols, r.selectList
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
		query := "SELECT " + list + " FROM " + target.qualified +
			" WHERE " + target.byName["id"].quoted + " IN (" + strings.Join(ph, ", ") + ")"
		for _, cond := range conds {
			query += " AND " + target.conditionSQL(cond, &a)
		}
		related, err := target.query(ctx, s.pool(), query, a, selected, len(ph))
		if err != nil {
			return err
		}
		byID := make(map[int64]*Record, len(related))
		for i, r := range related {
			if id, ok := idOf(r, "id"); ok {
				if trim {
					r = trimmed(related[i:i+1], shown)[0]
				}
				byID[id] = r
			}
		}
		for _, r := range recs {
			if id, ok := idOf(r, c.name); ok {
				if rel, found := byID[id]; found || !caller.custom() {
					r.set(c.name, rel)
				}
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
