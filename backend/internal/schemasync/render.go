// Package schemasync applies model definitions to a tenant's Postgres schema: it renders
// plan operations to SQL, runs them with the definitions, version and history in one
// transaction under a per-tenant lock, and compares the live tables with the definitions
// (drift).
package schemasync

import (
	"fmt"

	"github.com/uptrace/bun"
	"github.com/uptrace/bun/dialect/pgdialect"
	bunschema "github.com/uptrace/bun/schema"

	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// Renderer turns plan operations into SQL for one tenant's Postgres schema. Every
// identifier is quoted and schema-qualified and every value is a literal escaped by bun's
// pgdialect; the only raw text is column types and casts, which come from shared's
// field-type registry and conversion table, never from a request.
type Renderer struct {
	schema string
	gen    bunschema.QueryGen
}

// NewRenderer returns a renderer for the Postgres schema schemaName (e.g. "t_acme").
func NewRenderer(schemaName string) *Renderer {
	return &Renderer{schema: schemaName, gen: bunschema.NewQueryGen(pgdialect.New())}
}

// q formats one statement; ? placeholders take bun.Name (one identifier, always quoted
// whole: unlike bun.Ident it never splits on "." or leaves "*" bare), bun.Safe or values.
func (r *Renderer) q(query string, args ...any) string { return r.gen.FormatQuery(query, args...) }

// table is the quoted, schema-qualified name of a model's table.
func (r *Renderer) table(model string) bun.Safe {
	return bun.Safe(r.q("?.?", bun.Name(r.schema), bun.Name(model)))
}

// RenderAll renders every op in order.
func (r *Renderer) RenderAll(ops []plan.Op) ([][]string, error) {
	out := make([][]string, len(ops))
	for i, op := range ops {
		s, err := r.Render(op)
		if err != nil {
			return nil, err
		}
		out[i] = s
	}
	return out, nil
}

// Render returns the statements of one op; it fails on a kind it does not know. Index and
// constraint names come from the planner (op.Name), which renames them with their column.
func (r *Renderer) Render(op plan.Op) ([]string, error) {
	t, c, s := r.table(op.Model), bun.Name(op.Field), bun.Name(r.schema)
	one := func(query string, args ...any) ([]string, error) { return []string{r.q(query, args...)}, nil }
	if needsName[op.Kind] && op.Name == "" {
		return nil, opError(op, nil, "no constraint or index name")
	}
	n, to := bun.Name(op.Name), bun.Name(op.To)
	switch op.Kind {
	case plan.CreateTable:
		return r.createTable(op)
	case plan.DropTable:
		return one("DROP TABLE ?", t)
	case plan.AddColumn:
		return r.addColumn(op)
	case plan.DropColumn:
		return one("ALTER TABLE ? DROP COLUMN ?", t, c)
	case plan.RenameColumn:
		return one("ALTER TABLE ? RENAME COLUMN ? TO ?", t, c, to)
	case plan.AlterType:
		return r.alterType(op)
	case plan.SetNotNull:
		return r.setNotNull(op)
	case plan.DropNotNull:
		return one("ALTER TABLE ? ALTER COLUMN ? DROP NOT NULL", t, c)
	case plan.SetDefault:
		def, err := r.literal(op.Default, r.opColumn(op))
		if err != nil {
			return nil, opError(op, err, "")
		}
		return one("ALTER TABLE ? ALTER COLUMN ? SET DEFAULT ?", t, c, def)
	case plan.DropDefault:
		return one("ALTER TABLE ? ALTER COLUMN ? DROP DEFAULT", t, c)
	case plan.AddUnique:
		return one("ALTER TABLE ? ADD CONSTRAINT ? UNIQUE (?)", t, n, c)
	case plan.AddIndex:
		return one("CREATE INDEX ? ON ? (?)", n, t, c)
	case plan.DropIndex:
		return one("DROP INDEX IF EXISTS ?.?", s, n)
	case plan.AddForeignKey:
		return r.addForeignKey(op)
	case plan.DropForeignKey:
		return []string{r.q("ALTER TABLE ? DROP CONSTRAINT IF EXISTS ?", t, n), r.q("DROP INDEX IF EXISTS ?.?", s, n)}, nil
	case plan.AddCheck:
		return r.addCheck(op)
	case plan.DropUnique, plan.DropCheck, plan.DropUniqueTogether:
		return one("ALTER TABLE ? DROP CONSTRAINT IF EXISTS ?", t, n)
	case plan.AddUniqueTogether:
		return one("ALTER TABLE ? ADD CONSTRAINT ? UNIQUE (?)", t, n, idents(op.Fields))
	case plan.AddModelIndex:
		if len(op.Fields) == 0 {
			return nil, opError(op, nil, "add_model_index without columns")
		}
		return one("CREATE INDEX ? ON ? (?)", n, t, indexColumns(op.Fields))
	case plan.DropModelIndex:
		return one("DROP INDEX IF EXISTS ?.?", s, n)
	case plan.RenameConstraint:
		// A foreign key's index has the constraint's name (see addForeignKey): rename it too.
		// For a unique constraint Postgres has renamed its index already; a check has none.
		return []string{r.q("ALTER TABLE ? RENAME CONSTRAINT ? TO ?", t, n, to),
			r.q("ALTER INDEX IF EXISTS ?.? RENAME TO ?", s, n, to)}, nil
	case plan.RenameIndex:
		return one("ALTER INDEX ?.? RENAME TO ?", s, n, to)
	}
	return nil, fmt.Errorf("schemasync: unknown operation kind %q", op.Kind)
}

// needsName lists the kinds that act on a named constraint or index.
var needsName = map[plan.Kind]bool{
	plan.AddUnique: true, plan.DropUnique: true, plan.AddIndex: true, plan.DropIndex: true,
	plan.AddForeignKey: true, plan.DropForeignKey: true, plan.AddCheck: true, plan.DropCheck: true,
	plan.AddUniqueTogether: true, plan.DropUniqueTogether: true, plan.RenameConstraint: true, plan.RenameIndex: true,
	plan.AddModelIndex: true, plan.DropModelIndex: true,
}

// opError explains why an op cannot be rendered (a planner bug, not a user mistake).
func opError(op plan.Op, err error, why string) error {
	if err != nil {
		return fmt.Errorf("schemasync: %s %s.%s: %w", op.Kind, op.Model, op.Field, err)
	}
	return fmt.Errorf("schemasync: %s %s.%s: %s", op.Kind, op.Model, op.Field, why)
}

// idents is a comma-separated list of quoted column names.
func idents(names []string) bun.Safe {
	var b []byte
	for i, n := range names {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = bunschema.NewQueryGen(pgdialect.New()).AppendName(b, n)
	}
	return bun.Safe(b)
}

// indexColumns is the column list of an index of the model's indexes: each column
// quoted, "-x" as "x" DESC.
func indexColumns(cols []string) bun.Safe {
	var b []byte
	for i, col := range cols {
		if i > 0 {
			b = append(b, ", "...)
		}
		name, desc := schema.IndexColumn(col)
		b = bunschema.NewQueryGen(pgdialect.New()).AppendName(b, name)
		if desc {
			b = append(b, " DESC"...)
		}
	}
	return bun.Safe(b)
}
