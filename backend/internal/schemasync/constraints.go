package schemasync

import (
	"strings"

	"github.com/uptrace/bun"

	"forma.dev/shared/fieldtype"
	"forma.dev/shared/plan"
)

// onDelete maps a relation's on_delete option to its SQL action.
var onDelete = map[string]string{
	fieldtype.OnDeleteCascade:  "CASCADE",
	fieldtype.OnDeleteRestrict: "RESTRICT",
	fieldtype.OnDeleteSetNull:  "SET NULL",
}

// alterType changes a column's type, converting existing values with the op's cast
// ({col} is the quoted column, {type} the new type without modifiers) or `::type`.
func (r *Renderer) alterType(op plan.Op) ([]string, error) {
	column := r.opColumn(op)
	if column == "" {
		return nil, opError(op, nil, "alter_type without a column type")
	}
	using := r.castExpr(op, r.q("?", bun.Name(op.Field)))
	return []string{r.q("ALTER TABLE ? ALTER COLUMN ? TYPE ? USING ?",
		r.table(op.Model), bun.Name(op.Field), bun.Safe(column), bun.Safe(using))}, nil
}

// castExpr is the op's USING expression applied to expr.
func (r *Renderer) castExpr(op plan.Op, expr string) string {
	column := r.opColumn(op)
	cast := op.Cast
	if cast == "" {
		cast = "{col}::" + column
	}
	base, _, _ := strings.Cut(column, "(")
	return strings.NewReplacer("{col}", expr, "{type}", base).Replace(cast)
}

// addForeignKey adds the relation's foreign key to the target's id, and an index on the
// column with the constraint's name (indexes and foreign keys do not share a namespace).
func (r *Renderer) addForeignKey(op plan.Op) ([]string, error) {
	action, ok := onDelete[op.OnDelete]
	if op.OnDelete == "" {
		action, ok = "RESTRICT", true
	}
	if !ok || op.RefModel == "" {
		return nil, opError(op, nil, "add_foreign_key without ref_model or with an unknown on_delete")
	}
	t, n, c := r.table(op.Model), bun.Name(op.Name), bun.Name(op.Field)
	return []string{
		r.q(`ALTER TABLE ? ADD CONSTRAINT ? FOREIGN KEY (?) REFERENCES ? ("id") ON DELETE ?`,
			t, n, c, r.table(op.RefModel), bun.Safe(action)),
		r.q("CREATE INDEX ? ON ? (?)", n, t, c),
	}, nil
}

// addCheck adds CHECK (col IN (choices)), each choice an escaped literal.
func (r *Renderer) addCheck(op plan.Op) ([]string, error) {
	list, err := r.choiceList(op)
	if err != nil {
		return nil, err
	}
	return []string{r.q("ALTER TABLE ? ADD CONSTRAINT ? CHECK (? IN (?))", r.table(op.Model),
		bun.Name(op.Name), bun.Name(op.Field), list)}, nil
}

// choiceList is op.Choices as comma-separated literals.
func (r *Renderer) choiceList(op plan.Op) (bun.Safe, error) {
	if len(op.Choices) == 0 {
		return "", opError(op, nil, "add_check without choices")
	}
	column := r.opColumn(op)
	values := make([]string, len(op.Choices))
	for i, c := range op.Choices {
		lit, err := r.literal(c, column)
		if err != nil {
			return "", opError(op, err, "")
		}
		values[i] = string(lit)
	}
	return bun.Safe(strings.Join(values, ", ")), nil
}
