package meta

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/shared/access"
	"forma.dev/shared/plan"
	"forma.dev/shared/schema"
)

// Entry is one applied change, as kept in the history.
type Entry struct {
	Version int64          `json:"version"`
	Actor   string         `json:"actor"`
	At      time.Time      `json:"at"`
	Ops     []plan.Op      `json:"ops"`
	SQL     []string       `json:"sql"`
	Before  []schema.Model `json:"before"`
	After   []schema.Model `json:"after"`
	// Roles holds the custom roles the change created, changed or deleted, before and
	// after it, with field names as the models before and after name them; nil when the
	// change left the roles alone.
	Roles *RolesChange `json:"roles,omitempty"`
}

// RolesChange is the custom roles a change touched, by name: before holds those it
// changed or deleted as they were, after those it created or changed as they became.
// (Entries written before Forma kept only the touched roles hold every role.)
type RolesChange struct {
	Before map[string]access.Role `json:"before"`
	After  map[string]access.Role `json:"after"`
}

// Named returns roles as the API shows them, with field names from models.
func Named(roles map[string]*access.Stored, models []schema.Model) map[string]access.Role {
	out := make(map[string]access.Role, len(roles))
	for name, r := range roles {
		out[name] = r.Named(models)
	}
	return out
}

// History returns up to limit entries, newest first, older than version before (0: from the newest).
func History(ctx context.Context, db bun.IDB, tenantID int64, before int64, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.QueryContext(ctx, `SELECT version, actor, at, ops, statements, before, after, roles_before, roles_after FROM forma.schema_history
		WHERE tenant_id = ? AND (? = 0 OR version < ?) ORDER BY version DESC LIMIT ?`,
		tenantID, before, before, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: history: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var ops, stmts, b, a, rb, ra []byte
		if err := rows.Scan(&e.Version, &e.Actor, &e.At, &ops, &stmts, &b, &a, &rb, &ra); err != nil {
			return nil, fmt.Errorf("meta: history: %w", err)
		}
		for _, d := range []struct {
			raw []byte
			to  any
		}{{ops, &e.Ops}, {stmts, &e.SQL}, {b, &e.Before}, {a, &e.After}} {
			if err := json.Unmarshal(d.raw, d.to); err != nil {
				return nil, fmt.Errorf("meta: history v%d: %w", e.Version, err)
			}
		}
		if rb != nil {
			var before, after map[string]*access.Stored
			if err := errors.Join(DecodeRoles(rb, &before), DecodeRoles(ra, &after)); err != nil {
				return nil, fmt.Errorf("meta: history v%d roles: %w", e.Version, err)
			}
			e.Roles = &RolesChange{Before: Named(before, e.Before), After: Named(after, e.After)}
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
