package schemasync

import (
	"context"

	"github.com/uptrace/bun"

	"forma.dev/shared/plan"
)

// countInTheWay counts the rows that make op fail, with the schema as it is just before
// op; -1 when it cannot tell. It runs inside the transaction after a rollback to savepoint.
func (r *Renderer) countInTheWay(ctx context.Context, tx bun.Tx, op plan.Op) int64 {
	t, c := r.table(op.Model), bun.Name(op.Field)
	var query string
	var args []any
	switch op.Kind {
	case plan.AddUnique:
		query, args = "SELECT count(*) FROM ? WHERE ? IN (SELECT ? FROM ? WHERE ? IS NOT NULL GROUP BY 1 HAVING count(*) > 1)",
			[]any{t, c, c, t, c}
	case plan.AddUniqueTogether:
		var notNull []byte
		for i, f := range op.Fields {
			if i > 0 {
				notNull = append(notNull, " AND "...)
			}
			notNull = append(notNull, r.q("? IS NOT NULL", bun.Name(f))...)
		}
		query, args = "SELECT coalesce(sum(n), 0) FROM (SELECT count(*) AS n FROM ? WHERE ? GROUP BY ? HAVING count(*) > 1) d",
			[]any{t, bun.Safe(notNull), idents(op.Fields)}
	case plan.SetNotNull:
		query, args = "SELECT count(*) FROM ? WHERE ? IS NULL", []any{t, c}
	case plan.AddColumn:
		query, args = "SELECT count(*) FROM ?", []any{t}
	case plan.AddCheck:
		list, err := r.choiceList(op)
		if err != nil {
			return -1
		}
		query, args = "SELECT count(*) FROM ? WHERE NOT (? IN (?))", []any{t, c, list}
	case plan.AddForeignKey:
		if op.Def == nil {
			return -1
		}
		query, args = `SELECT count(*) FROM ? s WHERE s.? IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ? x WHERE x."id" = s.?)`,
			[]any{t, c, r.table(op.Def.RelatedModel), c}
	case plan.AlterType:
		return r.countUncastable(ctx, tx, op)
	default:
		return -1
	}
	var n int64
	if err := tx.NewRaw(r.q(query, args...)).Scan(ctx, &n); err != nil {
		return -1
	}
	return n
}

// countUncastable counts the non-null values that the op's cast rejects, with a temporary
// PL/pgSQL function that tries the cast one value at a time (Postgres 15 has no
// pg_input_is_valid). The function lives in pg_temp and goes with the transaction.
func (r *Renderer) countUncastable(ctx context.Context, tx bun.Tx, op plan.Op) int64 {
	cast := r.castExpr(op, "$1")
	fn := `CREATE OR REPLACE FUNCTION pg_temp.forma_castable(anyelement) RETURNS boolean LANGUAGE plpgsql AS $fn$
BEGIN PERFORM ` + cast + `; RETURN true; EXCEPTION WHEN others THEN RETURN false; END $fn$`
	if _, err := tx.ExecContext(ctx, "SAVEPOINT forma_count"); err != nil {
		return -1
	}
	var n int64
	if _, err := tx.ExecContext(ctx, fn); err == nil {
		err = tx.NewRaw(r.q("SELECT count(*) FROM ? WHERE ? IS NOT NULL AND NOT pg_temp.forma_castable(?)",
			r.table(op.Model), bun.Name(op.Field), bun.Name(op.Field))).Scan(ctx, &n)
		if err == nil {
			_, _ = tx.ExecContext(ctx, "RELEASE SAVEPOINT forma_count")
			return n
		}
	}
	_, _ = tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT forma_count")
	return -1
}
