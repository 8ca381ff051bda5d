package config_test

import (
	"log/slog"
	"maps"
	"slices"
	"testing"
	"time"

	"forma.dev/backend/internal/config"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

// Vars feeds forma's usage text, so it must name exactly what Load reads.
func TestVarsNamesEveryVariableLoadReads(t *testing.T) {
	t.Parallel()
	read := map[string]bool{}
	if _, err := config.Load(func(k string) string { read[k] = true; return "" }); err != nil {
		t.Fatal(err)
	}
	listed := map[string]bool{}
	for _, v := range config.Vars {
		listed[v] = true
	}
	if !maps.Equal(read, listed) {
		t.Fatalf("Load reads %v, Vars lists %v", slices.Sorted(maps.Keys(read)), slices.Sorted(maps.Keys(listed)))
	}
}

func TestLoadAppliesDefaults(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.DatabaseURL != config.DefaultDatabaseURL || c.Addr != config.DefaultAddr || c.RedisURL != "" ||
		c.AdminKey != "" || c.WebhookAllowPrivate || c.LogFormat != "text" || c.KeyCacheTTL != 5*time.Second ||
		c.CacheTenants != 10_000 || c.CacheWindow != 2*time.Second || c.RedisPrefix != "forma:" || !c.GroupCommit {
		t.Fatalf("defaults: %+v", c)
	}
}

func TestLoadReadsTheEnvironment(t *testing.T) {
	t.Parallel()
	c, err := config.Load(env(map[string]string{
		"DATABASE_URL": "postgres://x/y", "REDIS_URL": "redis://r:6379/0",
		"FORMA_ADMIN_KEY": "0123456789abcdef0123", "FORMA_ADDR": ":9000",
		"FORMA_WEBHOOK_ALLOW_PRIVATE": "true", "FORMA_LOG_FORMAT": "json",
		"FORMA_LOG_LEVEL": "debug", "FORMA_KEY_CACHE_TTL": "0s",
		"FORMA_CACHE_TENANTS": "50", "FORMA_CACHE_WINDOW": "500ms", "FORMA_REDIS_PREFIX": "x:",
		"FORMA_GROUP_COMMIT": "false",
	}))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{
		DatabaseURL: "postgres://x/y", RedisURL: "redis://r:6379/0", AdminKey: "0123456789abcdef0123",
		Addr: ":9000", WebhookAllowPrivate: true, LogFormat: "json", LogLevel: slog.LevelDebug,
		KeyCacheTTL: 0, ShutdownTimeout: 15 * time.Second,
		CacheTenants: 50, CacheWindow: 500 * time.Millisecond, RedisPrefix: "x:",
		WebhookWorkers: config.DefaultWebhookWorkers, WebhookRetention: config.DefaultWebhookRetention,
		Server:        c.Server,        // server_test.go
		TenantLimits:  c.TenantLimits,  // tenant_test.go
		Import:        c.Import,        // ingest_test.go
		TotalExactMax: c.TotalExactMax, // ingest_test.go
		AuthFail:      config.AuthFailLimit{Burst: config.DefaultAuthFailBurst, Rate: 1, Period: time.Second},
		DatabaseLanes: config.DefaultDatabaseLanes, DatabaseLaneWait: 2 * time.Millisecond, // database_test.go
	}
	if c != want {
		t.Fatalf("got %+v\nwant %+v", c, want)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	t.Parallel()
	for name, vars := range map[string]map[string]string{
		"short admin key":  {"FORMA_ADMIN_KEY": "short"},
		"bad bool":         {"FORMA_WEBHOOK_ALLOW_PRIVATE": "maybe"},
		"bad group commit": {"FORMA_GROUP_COMMIT": "sometimes"},
		"bad format":       {"FORMA_LOG_FORMAT": "xml"},
		"bad level":        {"FORMA_LOG_LEVEL": "loud"},
		"bad ttl":          {"FORMA_KEY_CACHE_TTL": "soon"},
		"negative ttl":     {"FORMA_KEY_CACHE_TTL": "-1s"},
		"zero tenants":     {"FORMA_CACHE_TENANTS": "0"},
		"bad tenants":      {"FORMA_CACHE_TENANTS": "many"},
		"bad window":       {"FORMA_CACHE_WINDOW": "2"},
	} {
		if _, err := config.Load(env(vars)); err == nil {
			t.Errorf("%s: Load accepted %v", name, vars)
		}
	}
}
