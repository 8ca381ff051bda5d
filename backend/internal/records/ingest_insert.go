package records

import (
	"context"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/problem"
)

// insert writes the rows in chunks of importChunk with INSERT … RETURNING on tx: each
// chunk held to a custom role's rule (checkWritten) and, when listened, its events
// written. Only one chunk of rows is held at a time.
func (imp *importer) insert(ctx context.Context, tx pgx.Tx, listened bool) (int64, error) {
	var n int64
	rows := make([]map[string]any, 0, importChunk)
	nums := make([]int, 0, importChunk)
	for {
		vals, err := imp.next()
		if err != nil {
			return 0, err
		}
		if vals != nil {
			rows, nums = append(rows, vals), append(nums, imp.row.N)
		}
		if len(rows) == importChunk || vals == nil && len(rows) > 0 {
			recs, err := imp.tbl.insertDirect(ctx, tx, rows)
			if err == nil && imp.r != nil {
				_, err = imp.tbl.checkWritten(ctx, tx, imp.r, imp.conds, readable{}, recs, true)
				err = renumbered(err, nums)
			}
			if err == nil && listened {
				err = imp.s.Events.Emit(ctx, tx, imp.t.ID, imp.tbl.Model.Name, EventCreated, imp.version, recs)
			}
			if err != nil {
				return 0, err
			}
			n += int64(len(recs))
			rows, nums = rows[:0], nums[:0]
			imp.clock.chunk()
		}
		if vals == nil {
			return n, nil
		}
	}
}

// renumbered rewrites the paths of a chunk's problems ("[i].field", i its place in the
// chunk) to name the rows as the body numbers them (nums).
func renumbered(err error, nums []int) error {
	e := apperr.As(err)
	if e == nil || len(e.Problems) == 0 {
		return err
	}
	out := make(problem.List, len(e.Problems))
	for i, p := range e.Problems {
		if rest, ok := strings.CutPrefix(p.Path, "["); ok {
			if j, after, ok := strings.Cut(rest, "]"); ok {
				if k, err := strconv.Atoi(j); err == nil && k >= 0 && k < len(nums) {
					p.Path = problem.Index("", nums[k]) + after
				}
			}
		}
		out[i] = p
	}
	e2 := *e
	e2.Problems = out
	if len(out) > 0 {
		e2.Detail = strings.Replace(e.Detail, e.Problems[0].Path, out[0].Path, 1)
	}
	return &e2
}
