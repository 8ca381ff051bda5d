package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/db"
)

// createDB creates the database that databaseURL names, connecting to the server's
// "postgres" database, unless it exists already.
func createDB(ctx context.Context, databaseURL string, log *slog.Logger) error {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return fmt.Errorf("parse DATABASE_URL: %w", err)
	}
	name := strings.TrimPrefix(u.Path, "/")
	if name == "" || strings.Contains(name, "/") {
		return fmt.Errorf("DATABASE_URL names no database: %q", u.Redacted())
	}
	u.Path = "/postgres"
	pool, err := db.Open(ctx, u.String())
	if err != nil {
		return fmt.Errorf("%w (is Postgres running at %s?)", err, u.Host)
	}
	defer pool.Close()
	admin := pool.Bun
	var exists bool
	if err := admin.QueryRowContext(ctx,
		"SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = ?)", name).Scan(&exists); err != nil {
		return err
	}
	if exists {
		return nil
	}
	_, err = admin.ExecContext(ctx, "CREATE DATABASE ?", bun.Ident(name))
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "42P04" {
		return nil // created by someone else meanwhile
	} else if err != nil {
		return fmt.Errorf("create database %s: %w", name, err)
	}
	log.Info("created database", "name", name)
	return nil
}
