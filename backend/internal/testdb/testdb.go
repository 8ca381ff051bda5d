// Package testdb gives each test a fresh Postgres database of its own, dropped when the
// test ends, so tests run in parallel against the real server and leave nothing behind.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/uptrace/bun"

	"forma.dev/backend/internal/db"
)

// AdminURL is the server the tests use: TEST_DATABASE_URL, else the local default.
func AdminURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"
}

// New creates an empty database for tb and returns its URL; it is dropped in tb.Cleanup.
func New(tb testing.TB) string {
	tb.Helper()
	ctx := context.Background()
	admin, err := db.Open(ctx, AdminURL())
	if err != nil {
		tb.Fatalf("testdb: %v (is Postgres running? see README)", err)
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "forma_test_" + hex.EncodeToString(b[:])
	if _, err := admin.Bun.ExecContext(ctx, "CREATE DATABASE ?", bun.Ident(name)); err != nil {
		admin.Close()
		tb.Fatalf("testdb: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.Bun.ExecContext(ctx, "DROP DATABASE IF EXISTS ? WITH (FORCE)", bun.Ident(name)); err != nil {
			tb.Errorf("testdb: drop database %s: %v", name, err)
		}
		admin.Close()
	})
	u, err := url.Parse(AdminURL())
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	u.Path = "/" + name
	return u.String()
}

// Open creates a fresh database for tb and opens it through bun; the pool is closed
// before the drop.
func Open(tb testing.TB) *bun.DB {
	tb.Helper()
	return OpenPool(tb).Bun
}

// OpenPool is Open for tests that also use the pool through pgx (the data path).
func OpenPool(tb testing.TB) *db.Pool {
	tb.Helper()
	u := New(tb)
	p, err := db.Open(context.Background(), u)
	if err != nil {
		tb.Fatalf("testdb: %v", err)
	}
	tb.Cleanup(func() { _ = p.Close() })
	return p
}
