package schemasync

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/meta"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/shared/plan"
	"forma.dev/shared/problem"
	"forma.dev/shared/schema"
)

// lockNamespace is the first key of the per-tenant advisory lock ("FSYN"); the tenant id is the second.
const lockNamespace int32 = 0x4653594e

// applyOnce is one attempt: lock, load, check, plan, run, store, commit (or roll back).
// checked names the models that change returns as they were validated before the lock.
func (e *Engine) applyOnce(ctx context.Context, t tenantref.Ref, change Change, checked map[string]bool, rc RoleChange, o Options) (*Result, error) {
	tx, err := e.db.BeginTx(ctx, &sql.TxOptions{})
	if err != nil {
		return nil, err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT set_config('lock_timeout', ?, true), pg_advisory_xact_lock(?, ?)",
		fmt.Sprintf("%dms", e.lockTimeout.Milliseconds()), lockNamespace, int32(t.ID)); err != nil {
		return nil, err
	}
	if err := lockTenant(ctx, tx, t); err != nil {
		return nil, err
	}
	cur, err := meta.Load(ctx, tx, t.ID)
	if err != nil {
		return nil, err
	}
	if o.IfMatch != nil && *o.IfMatch != cur.Version {
		return nil, apperr.New(apperr.PreconditionFailed,
			fmt.Sprintf("the schema is at version %d, not %d: reload and try again", cur.Version, *o.IfMatch))
	}
	next, err := change(clone(cur.Models))
	if err != nil {
		return nil, err
	}
	for i := range next {
		if next[i].Fields == nil {
			next[i].Fields = []schema.Field{} // stored as [], never null
		}
	}
	sort.SliceStable(next, func(i, j int) bool { return next[i].Name < next[j].Name })
	meta.AssignIDs(cur.Models, next)
	if problems := checkChange(cur.Models, next, checked); len(problems) > 0 {
		return nil, invalid(focus(problems, next, o.Focus))
	}
	roles, err := nextRoles(cur.Roles, cur.Models, next, rc)
	if err != nil {
		return nil, err
	}
	if o.Quota != nil {
		if err := o.Quota(cur.Models, next); err != nil {
			return nil, err
		}
	}
	res := &Result{Models: next, Version: cur.Version, Hash: schema.SchemaHash(next), Ops: []plan.Op{}, SQL: []string{},
		DryRun: o.DryRun, Roles: roles, RolesChanged: !meta.SameRoles(cur.Roles, roles)}
	if res.Hash == schema.SchemaHash(cur.Models) && sameJSON(cur.Models, next) && !res.RolesChanged {
		return res, nil // unchanged: nothing to write, same version
	}
	if err := checkHolders(ctx, tx, t.ID, cur.Roles, roles); err != nil {
		return nil, err
	}
	res.Changed, res.Version = true, cur.Version+1
	res.Ops = plan.Schema(cur.Models, next)
	r := NewRenderer(t.Schema)
	stmts, err := r.RenderAll(res.Ops)
	if err != nil {
		return nil, err
	}
	for _, s := range stmts {
		res.SQL = append(res.SQL, s...)
	}
	if lost := dataLoss(res.Ops); len(lost) > 0 && !o.AllowDataLoss {
		if !o.DryRun {
			return nil, apperr.New(apperr.Conflict, fmt.Sprintf(
				"the change loses data (%s); send allow_data_loss=true to apply it anyway", lost[0].Description)).
				With("plan", res.Ops).With("sql", res.SQL)
		}
		res.RefusedWithout = RefusedWithoutDataLoss // and the steps run, so that rows in the way show too
	}
	if err := runSteps(ctx, tx, r, res.Ops, stmts); err != nil {
		return nil, err
	}
	if o.DryRun {
		return res, nil // the deferred rollback undoes everything
	}
	after := meta.State{Version: res.Version, Hash: res.Hash, Models: next, Roles: roles, Hashes: make(map[string]string, len(next))}
	for _, m := range next {
		after.Hashes[m.Name] = schema.Hash(m)
	}
	if err := meta.Save(ctx, tx, t.ID, meta.Change{Before: cur, After: after, Actor: o.Actor, Ops: res.Ops, SQL: res.SQL}); err != nil {
		return nil, err
	}
	for _, h := range e.hooks {
		if err := h(ctx, tx, t, res); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	for _, f := range e.committed {
		f(ctx, t, res)
	}
	return res, nil
}

// lockTenant keeps the tenant's row until the change commits, so that deleting the
// tenant waits for the change, and a change that comes after the deletion finds no
// tenant (404) instead of a missing schema or table. It runs after the advisory lock,
// as the tenant's deletion takes the row first and then the tables: the same order.
func lockTenant(ctx context.Context, tx bun.Tx, t tenantref.Ref) error {
	var one int
	err := tx.NewRaw("SELECT 1 FROM forma.tenants WHERE id = ? FOR KEY SHARE", t.ID).Scan(ctx, &one)
	if errors.Is(err, sql.ErrNoRows) {
		return apperr.New(apperr.NotFound, "no such tenant")
	}
	return err
}

// dataLoss lists the ops that can destroy data.
func dataLoss(ops []plan.Op) []plan.Op {
	var out []plan.Op
	for _, op := range ops {
		if op.DataLoss {
			out = append(out, op)
		}
	}
	return out
}

// clone deep-copies models so a Change cannot alter the loaded state.
func clone(models []schema.Model) []schema.Model {
	out := []schema.Model{}
	b, _ := json.Marshal(models)
	_ = json.Unmarshal(b, &out)
	return out
}

// sameJSON is true when two definitions (or sets of them) encode identically (labels
// included), numbers compared by value (3 and 3.0 are the same).
func sameJSON(a, b any) bool {
	norm := func(v any) string {
		var generic any
		raw, _ := json.Marshal(v)
		_ = json.Unmarshal(raw, &generic)
		out, _ := json.Marshal(generic)
		return string(out)
	}
	return norm(a) == norm(b)
}

// focus strips "models[i]." from the problems of the model named name.
func focus(problems problem.List, models []schema.Model, name string) problem.List {
	if name == "" {
		return problems
	}
	i := slices.IndexFunc(models, func(m schema.Model) bool { return m.Name == name })
	if i < 0 {
		return problems
	}
	prefix := problem.Index("models", i)
	out := make(problem.List, len(problems))
	for j, p := range problems {
		if rest, ok := strings.CutPrefix(p.Path, prefix); ok && (rest == "" || rest[0] == '.') {
			p.Path = strings.TrimPrefix(rest, ".")
		}
		out[j] = p
	}
	return out
}
