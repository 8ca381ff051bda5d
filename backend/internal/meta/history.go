package meta

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/uptrace/bun"

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
}

// History returns up to limit entries, newest first, older than version before (0: from the newest).
func History(ctx context.Context, db bun.IDB, tenantID int64, before int64, limit int) ([]Entry, error) {
	if limit <= 0 || limit > 1000 {
		limit = 100
	}
	rows, err := db.QueryContext(ctx, `SELECT version, actor, at, ops, statements, before, after FROM forma.schema_history
		WHERE tenant_id = ? AND (? = 0 OR version < ?) ORDER BY version DESC LIMIT ?`,
		tenantID, before, before, limit)
	if err != nil {
		return nil, fmt.Errorf("meta: history: %w", err)
	}
	defer rows.Close()
	out := []Entry{}
	for rows.Next() {
		var e Entry
		var ops, stmts, b, a []byte
		if err := rows.Scan(&e.Version, &e.Actor, &e.At, &ops, &stmts, &b, &a); err != nil {
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
		out = append(out, e)
	}
	return out, rows.Err()
}
