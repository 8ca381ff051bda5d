package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"log/slog"
	"net"

	"forma.dev/backend/internal/app"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/migrations"
)

// serve runs the API until ctx is done (SIGINT or SIGTERM).
func serve(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	if cfg.AdminKey == "" {
		// Development convenience: a key for this process only. Replicas must share
		// one key, so production sets FORMA_ADMIN_KEY.
		var b [32]byte
		if _, err := rand.Read(b[:]); err != nil {
			return err
		}
		cfg.AdminKey = "fa_" + base64.RawURLEncoding.EncodeToString(b[:])
		log.Warn("FORMA_ADMIN_KEY is not set: generated a platform key for this process only",
			"admin_key", cfg.AdminKey)
	}
	a, err := app.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer a.Close()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	log.Info("forma is serving", "url", "http://"+ln.Addr().String(), "redis", cfg.RedisURL != "")
	return a.Serve(ctx, ln)
}

// migrate creates or upgrades the control schema and exits.
func migrate(ctx context.Context, cfg config.Config) error {
	pool, err := db.Open(ctx, cfg.DatabaseURL)
	if err != nil {
		return err
	}
	defer pool.Close()
	return migrations.Up(ctx, pool.Bun)
}
