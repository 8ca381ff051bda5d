package meta

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/uptrace/bun"

	"forma.dev/shared/access"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// Change is one applied change to store: the state after it and what ran.
type Change struct {
	Before State
	// After holds the new models, version and hash; Hashes the canonical hash per model.
	After State
	Actor string
	Ops   []plan.Op
	SQL   []string
}

// Save writes a change: changed models are upserted, removed ones deleted, the version
// row set and a history row added. It MUST run inside the transaction that ran the DDL.
func Save(ctx context.Context, db bun.IDB, tenantID int64, c Change) error {
	a := c.After
	if _, err := db.NewRaw(`INSERT INTO forma.schema_versions (tenant_id, version, hash) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id) DO UPDATE SET version = EXCLUDED.version, hash = EXCLUDED.hash, updated_at = now()`,
		tenantID, a.Version, a.Hash).Exec(ctx); err != nil {
		return fmt.Errorf("meta: save version: %w", err)
	}
	keep := make([]string, 0, len(a.Models))
	for i := range a.Models {
		m := &a.Models[i]
		keep = append(keep, m.Name)
		if old, ok := c.Before.Model(m.Name); ok && bytes.Equal(jsonOf(old), jsonOf(m)) {
			continue
		}
		if _, err := db.NewRaw(`INSERT INTO forma.models (tenant_id, name, definition, hash, version)
			VALUES (?, ?, ?::jsonb, ?, ?)
			ON CONFLICT (tenant_id, name) DO UPDATE SET definition = EXCLUDED.definition,
				hash = EXCLUDED.hash, version = EXCLUDED.version, updated_at = now()`,
			tenantID, m.Name, string(jsonOf(m)), a.Hashes[m.Name], a.Version).Exec(ctx); err != nil {
			return fmt.Errorf("meta: save model %q: %w", m.Name, err)
		}
	}
	if len(keep) == 0 {
		keep = append(keep, "") // NOT IN () is not SQL
	}
	if _, err := db.NewRaw("DELETE FROM forma.models WHERE tenant_id = ? AND name NOT IN (?)",
		tenantID, bun.List(keep)).Exec(ctx); err != nil {
		return fmt.Errorf("meta: delete models: %w", err)
	}
	ops := c.Ops
	if ops == nil {
		ops = []plan.Op{}
	}
	stmts := c.SQL
	if stmts == nil {
		stmts = []string{}
	}
	changed, err := saveRoles(ctx, db, tenantID, c)
	if err != nil {
		return err
	}
	// The history keeps only the roles the change touched, as they were and as they
	// became (a role it created is only in after, one it deleted only in before): a
	// change of one role does not store all the tenant's roles twice.
	var rolesBefore, rolesAfter *string // NULL: the change left the roles alone
	if len(changed) > 0 {
		before, after := map[string]*access.Stored{}, map[string]*access.Stored{}
		for _, name := range changed {
			if r, ok := c.Before.Roles[name]; ok {
				before[name] = r
			}
			if r, ok := a.Roles[name]; ok {
				after[name] = r
			}
		}
		b, a := string(jsonOf(before)), string(jsonOf(after))
		rolesBefore, rolesAfter = &b, &a
	}
	if _, err := db.NewRaw(`INSERT INTO forma.schema_history (tenant_id, version, actor, ops, statements, before, after, roles_before, roles_after)
		VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb, ?::jsonb)`,
		tenantID, a.Version, c.Actor, string(jsonOf(ops)), string(jsonOf(stmts)),
		string(jsonOf(models(c.Before.Models))), string(jsonOf(models(a.Models))), rolesBefore, rolesAfter).Exec(ctx); err != nil {
		return fmt.Errorf("meta: save history: %w", err)
	}
	return nil
}

// saveRoles upserts the roles that the change added or changed and deletes those it
// removed; it returns their names.
func saveRoles(ctx context.Context, db bun.IDB, tenantID int64, c Change) ([]string, error) {
	var changed []string
	for name, r := range c.After.Roles {
		if old, ok := c.Before.Roles[name]; ok && bytes.Equal(jsonOf(old), jsonOf(r)) {
			continue
		}
		changed = append(changed, name)
		if _, err := db.NewRaw(`INSERT INTO forma.roles (tenant_id, name, definition, version) VALUES (?, ?, ?::jsonb, ?)
			ON CONFLICT (tenant_id, name) DO UPDATE SET definition = EXCLUDED.definition,
				version = EXCLUDED.version, updated_at = now()`,
			tenantID, name, string(jsonOf(r)), c.After.Version).Exec(ctx); err != nil {
			return nil, fmt.Errorf("meta: save role %q: %w", name, err)
		}
	}
	var gone []string
	for name := range c.Before.Roles {
		if _, ok := c.After.Roles[name]; !ok {
			gone = append(gone, name)
		}
	}
	if len(gone) > 0 {
		changed = append(changed, gone...)
		if _, err := db.NewRaw("DELETE FROM forma.roles WHERE tenant_id = ? AND name IN (?)",
			tenantID, bun.List(gone)).Exec(ctx); err != nil {
			return nil, fmt.Errorf("meta: delete roles: %w", err)
		}
	}
	return changed, nil
}

// SameRoles is true when two sets of roles are alike, rule for rule.
func SameRoles(a, b map[string]*access.Stored) bool {
	return bytes.Equal(jsonOf(roles(a)), jsonOf(roles(b)))
}

func roles(r map[string]*access.Stored) map[string]*access.Stored {
	if r == nil {
		return map[string]*access.Stored{}
	}
	return r
}

func models(m []schema.Model) []schema.Model {
	if m == nil {
		return []schema.Model{}
	}
	return m
}

// jsonOf marshals v; definitions always marshal, so an error is a programming error.
func jsonOf(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("meta: marshal: " + err.Error())
	}
	return b
}
