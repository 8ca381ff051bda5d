package schemasync

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/shared/plan"
)

// runSteps runs each op's statements under a savepoint. When one fails because of the
// rows that exist (SQLSTATE class 22 data exception or 23 integrity violation), it rolls
// back to the savepoint, counts the rows in the way with the schema as it was just before
// the step, and answers a Conflict naming the step. A table out of columns is a Conflict
// too (tooManyColumns). Any other failure is returned as is.
func runSteps(ctx context.Context, tx bun.Tx, r *Renderer, ops []plan.Op, stmts [][]string) error {
	for i, op := range ops {
		for _, s := range stmts[i] {
			if _, err := tx.ExecContext(ctx, "SAVEPOINT forma_step"); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, s); err != nil {
				var pg *pgconn.PgError
				if errors.As(err, &pg) && pg.Code == "54011" {
					return tooManyColumns(op, s, pg)
				}
				if !errors.As(err, &pg) || !(strings.HasPrefix(pg.Code, "22") || strings.HasPrefix(pg.Code, "23")) {
					return fmt.Errorf("schemasync: %s: %w", s, err)
				}
				if _, rbErr := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT forma_step"); rbErr != nil {
					return rbErr
				}
				return stepConflict(op, s, pg, r.countInTheWay(ctx, tx, op))
			}
			if _, err := tx.ExecContext(ctx, "RELEASE SAVEPOINT forma_step"); err != nil {
				return err
			}
		}
	}
	return nil
}

// stepConflict is the 409 for a step that existing rows made fail; rows < 0 means uncounted.
func stepConflict(op plan.Op, stmt string, pg *pgconn.PgError, rows int64) error {
	desc := describe(op)
	detail := fmt.Sprintf("step %q failed on existing rows: %s", desc, pg.Message)
	if rows >= 0 {
		detail = fmt.Sprintf("step %q failed: %d row(s) are in the way (%s)", desc, rows, pg.Message)
	}
	e := apperr.New(apperr.Conflict, detail).With("step", op).With("sql", stmt).With("sqlstate", pg.Code)
	if rows >= 0 {
		e = e.With("rows", rows)
	}
	e.Err = pg
	return e
}

// tooManyColumns is the 409 for a step that would give a table more than the 1600
// columns Postgres allows (54011). Validation keeps a model's fields far below that,
// but Postgres also counts every column ever dropped from the table, so a model whose
// fields were dropped and added many times can still get there.
func tooManyColumns(op plan.Op, stmt string, pg *pgconn.PgError) error {
	detail := fmt.Sprintf("step %q failed: the table of model %q has reached Postgres's limit of 1600 columns, "+
		"which counts the columns dropped from it before; copy the model into a new one to start with a fresh table",
		describe(op), op.Model)
	e := apperr.New(apperr.Conflict, detail).With("step", op).With("sql", stmt).With("sqlstate", pg.Code)
	e.Err = pg
	return e
}

// describe is the op's description, or one built from its kind for hand-built ops.
func describe(op plan.Op) string {
	if op.Description != "" {
		return op.Description
	}
	if op.Field != "" {
		return fmt.Sprintf("%s %s.%s", op.Kind, op.Model, op.Field)
	}
	return fmt.Sprintf("%s %s", op.Kind, op.Model)
}
