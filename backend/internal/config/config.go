// Package config reads Forma's configuration from the environment.
package config

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"forma.dev/backend/internal/limits"
)

// Defaults used when a variable is unset.
const (
	DefaultDatabaseURL = "postgres://postgres@127.0.0.1:5432/forma?sslmode=disable"
	DefaultAddr        = "127.0.0.1:8080"
	// MinAdminKeyLen is the shortest FORMA_ADMIN_KEY accepted.
	MinAdminKeyLen = 16
	// DefaultCacheTenants is the default FORMA_CACHE_TENANTS.
	DefaultCacheTenants = 10_000
	// DefaultCacheWindow is the default FORMA_CACHE_WINDOW.
	DefaultCacheWindow = 2 * time.Second
	// DefaultRedisPrefix is the default FORMA_REDIS_PREFIX.
	DefaultRedisPrefix = "forma:"
)

// Vars names every environment variable Load reads, for `forma`'s usage text.
var Vars = []string{
	"DATABASE_URL", "REDIS_URL", "FORMA_ADMIN_KEY", "FORMA_ADDR",
	"FORMA_WEBHOOK_ALLOW_PRIVATE", "FORMA_WEBHOOK_WORKERS", "FORMA_WEBHOOK_RETENTION",
	"FORMA_LOG_FORMAT", "FORMA_LOG_LEVEL", "FORMA_KEY_CACHE_TTL", "FORMA_SHUTDOWN_TIMEOUT",
	"FORMA_CACHE_TENANTS", "FORMA_CACHE_WINDOW", "FORMA_REDIS_PREFIX", "FORMA_GROUP_COMMIT",
	"FORMA_READ_TIMEOUT", "FORMA_READ_MIN_RATE", "FORMA_WRITE_TIMEOUT", "FORMA_IDLE_TIMEOUT",
	"FORMA_MAX_CONNS", "FORMA_MAX_CONNS_PER_IP",
	"FORMA_AUTH_FAIL_BURST", "FORMA_AUTH_FAIL_RATE", "FORMA_TRUSTED_PROXIES",
	"FORMA_DATABASE_LANES", "FORMA_DATABASE_LANE_WAIT",
	"FORMA_IMPORT_MAX_BYTES", "FORMA_IMPORT_MAX_ROWS", "FORMA_TOTAL_EXACT_MAX",
}

// Config is everything `forma serve` needs to start.
type Config struct {
	DatabaseURL         string        // DATABASE_URL
	RedisURL            string        // REDIS_URL; empty runs without Redis
	AdminKey            string        // FORMA_ADMIN_KEY; empty means "generate one at start"
	Addr                string        // FORMA_ADDR
	WebhookAllowPrivate bool          // FORMA_WEBHOOK_ALLOW_PRIVATE
	WebhookWorkers      int           // FORMA_WEBHOOK_WORKERS: webhook dispatchers per replica (default 4)
	WebhookRetention    time.Duration // FORMA_WEBHOOK_RETENTION: how long delivery logs are kept (default 168h)
	LogFormat           string        // FORMA_LOG_FORMAT: text (default) or json
	LogLevel            slog.Level    // FORMA_LOG_LEVEL: debug, info (default), warn, error
	KeyCacheTTL         time.Duration // FORMA_KEY_CACHE_TTL: how long a replica trusts a key lookup (default 5s, 0 disables)
	ShutdownTimeout     time.Duration // FORMA_SHUTDOWN_TIMEOUT: grace period for in-flight requests (default 15s)
	CacheTenants        int           // FORMA_CACHE_TENANTS: tenants each replica's model cache holds (LRU, default 10,000)
	CacheWindow         time.Duration // FORMA_CACHE_WINDOW: longest a cached model is used before its version is re-checked (default 2s)
	RedisPrefix         string        // FORMA_REDIS_PREFIX: prefix of the model cache's Redis keys and channel (default "forma:")
	GroupCommit         bool          // FORMA_GROUP_COMMIT: single-record creates that arrive together commit together (default true)
	DatabaseLanes       int           // FORMA_DATABASE_LANES: lanes of the pool's connections a tenant's statements keep to (default 4; 1: none; db.Lanes)
	DatabaseLaneWait    time.Duration // FORMA_DATABASE_LANE_WAIT: longest a statement waits for its lane before it takes a shared connection (default 2ms)
	Server              Server        // FORMA_READ_TIMEOUT and the other limits on slow and numerous clients (server.go)
	// AuthFail limits failed authentications per client address and per key prefix
	// (FORMA_AUTH_FAIL_BURST, default 10; FORMA_AUTH_FAIL_RATE, default 1/s).
	AuthFail AuthFailLimit
	// TrustedProxies lists, comma-separated, the proxies (addresses or CIDRs) whose
	// X-Forwarded-For names the client (FORMA_TRUSTED_PROXIES; default none).
	TrustedProxies string
	// TenantLimits is every tenant's limits unless it has its own (FORMA_TENANT_*; 0:
	// no limit).
	TenantLimits limits.Set
	// Import bounds a streamed create (FORMA_IMPORT_MAX_BYTES, default 1 GiB;
	// FORMA_IMPORT_MAX_ROWS, default 1,000,000).
	Import Import
	// TotalExactMax is how many records a list's total counts exactly
	// (FORMA_TOTAL_EXACT_MAX, default 10,000); past it, the planner's estimate.
	TotalExactMax int64
}

// Load reads the configuration through getenv (os.Getenv in main), applying defaults.
func Load(getenv func(string) string) (Config, error) {
	c := Config{
		DatabaseURL:     or(getenv("DATABASE_URL"), DefaultDatabaseURL),
		RedisURL:        strings.TrimSpace(getenv("REDIS_URL")),
		AdminKey:        strings.TrimSpace(getenv("FORMA_ADMIN_KEY")),
		Addr:            or(getenv("FORMA_ADDR"), DefaultAddr),
		LogFormat:       or(getenv("FORMA_LOG_FORMAT"), "text"),
		KeyCacheTTL:     5 * time.Second,
		ShutdownTimeout: 15 * time.Second,
		CacheTenants:    DefaultCacheTenants,
		CacheWindow:     DefaultCacheWindow,
		RedisPrefix:     or(getenv("FORMA_REDIS_PREFIX"), DefaultRedisPrefix),
	}
	var err error
	if c.WebhookAllowPrivate, err = parseBool(getenv, "FORMA_WEBHOOK_ALLOW_PRIVATE", false); err != nil {
		return c, err
	}
	if c.GroupCommit, err = parseBool(getenv, "FORMA_GROUP_COMMIT", true); err != nil {
		return c, err
	}
	if c.KeyCacheTTL, err = parseDuration(getenv, "FORMA_KEY_CACHE_TTL", c.KeyCacheTTL); err != nil {
		return c, err
	}
	if c.ShutdownTimeout, err = parseDuration(getenv, "FORMA_SHUTDOWN_TIMEOUT", c.ShutdownTimeout); err != nil {
		return c, err
	}
	if err := c.loadDatabase(getenv); err != nil {
		return c, err
	}
	if err := c.loadCache(getenv); err != nil {
		return c, err
	}
	if err := c.loadWebhooks(getenv); err != nil {
		return c, err
	}
	if err := c.loadServer(getenv); err != nil {
		return c, err
	}
	if err := c.loadAuth(getenv); err != nil {
		return c, err
	}
	if err := c.loadTenant(getenv); err != nil {
		return c, err
	}
	if err := c.loadImport(getenv); err != nil {
		return c, err
	}
	if err := c.loadTotals(getenv); err != nil {
		return c, err
	}
	if lvl := getenv("FORMA_LOG_LEVEL"); lvl != "" {
		if err := c.LogLevel.UnmarshalText([]byte(lvl)); err != nil {
			return c, fmt.Errorf("FORMA_LOG_LEVEL: %w", err)
		}
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return c, fmt.Errorf("FORMA_LOG_FORMAT must be text or json, not %q", c.LogFormat)
	}
	if c.AdminKey != "" && len(c.AdminKey) < MinAdminKeyLen {
		return c, fmt.Errorf("FORMA_ADMIN_KEY must be at least %d characters long", MinAdminKeyLen)
	}
	return c, nil
}

func or(v, def string) string {
	if v = strings.TrimSpace(v); v != "" {
		return v
	}
	return def
}

func parseBool(getenv func(string) string, name string, def bool) (bool, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, fmt.Errorf("%s must be true or false, not %q", name, v)
	}
	return b, nil
}

func parseDuration(getenv func(string) string, name string, def time.Duration) (time.Duration, error) {
	v := strings.TrimSpace(getenv(name))
	if v == "" {
		return def, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s must be a duration such as 5s, not %q", name, v)
	}
	return d, nil
}
