// Package migrations creates and upgrades Forma's control schema from the SQL files
// embedded in sql/, applied once each in filename order. Adding a migration is adding a
// file named NNNN_name.sql.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/uptrace/bun"
)

//go:embed sql/*.sql
var files embed.FS

// lockKey is the advisory lock that serialises migrations across replicas ("forma").
const lockKey int64 = 0x666f726d61

const bootstrap = `
CREATE SCHEMA IF NOT EXISTS forma;
CREATE TABLE IF NOT EXISTS forma.schema_migrations (
    name       text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
)`

// Up applies every embedded migration that the database has not applied yet.
func Up(ctx context.Context, db *bun.DB) error {
	sub, err := fs.Sub(files, "sql")
	if err != nil {
		return err
	}
	return Apply(ctx, db, sub)
}

// Apply applies the *.sql files at the root of fsys that are not recorded in
// forma.schema_migrations, in filename order, each in its own transaction under a
// transaction-level advisory lock, so replicas starting together apply each file once.
func Apply(ctx context.Context, db *bun.DB, fsys fs.FS) error {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return err
	}
	sort.Strings(names)
	if err := inLockedTx(ctx, db, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, bootstrap)
		return err
	}); err != nil {
		return fmt.Errorf("migrations: bootstrap: %w", err)
	}
	for _, name := range names {
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		if err := applyOne(ctx, db, name, string(body)); err != nil {
			return fmt.Errorf("migrations: %s: %w", name, err)
		}
	}
	return nil
}

// applyOne runs one file unless it is recorded as applied, and records it.
func applyOne(ctx context.Context, db *bun.DB, name, body string) error {
	name = strings.TrimSuffix(path.Base(name), ".sql")
	return inLockedTx(ctx, db, func(tx *sql.Tx) error {
		var done bool
		err := tx.QueryRowContext(ctx,
			"SELECT EXISTS (SELECT 1 FROM forma.schema_migrations WHERE name = $1)", name).Scan(&done)
		if err != nil || done {
			return err
		}
		// Raw database/sql: bun's formatter would read '?' in the file as placeholders.
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO forma.schema_migrations (name) VALUES ($1)", name)
		return err
	})
}

// inLockedTx runs fn in a transaction that holds the migrations advisory lock.
func inLockedTx(ctx context.Context, db *bun.DB, fn func(*sql.Tx) error) error {
	tx, err := db.DB.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, "SELECT pg_advisory_xact_lock($1)", lockKey); err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Applied lists the names of the applied migrations (file names without .sql), in order.
func Applied(ctx context.Context, db *bun.DB) ([]string, error) {
	rows, err := db.DB.QueryContext(ctx, "SELECT name FROM forma.schema_migrations ORDER BY name")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	return names, rows.Err()
}
