package app

import (
	"cmp"
	"context"
	"errors"
	"log/slog"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/httpapi"
	"forma.dev/backend/internal/registry"
)

// cacheOptions turns the configuration into the model cache's options (FORMA_CACHE_TENANTS,
// FORMA_CACHE_WINDOW, FORMA_REDIS_PREFIX); the Redis client is added by New.
func cacheOptions(cfg config.Config, log *slog.Logger) []registry.Option {
	opts := []registry.Option{registry.WithLogger(log), registry.WithWindow(cfg.CacheWindow)}
	if cfg.CacheTenants > 0 {
		opts = append(opts, registry.WithSize(cfg.CacheTenants))
	}
	if cfg.RedisPrefix != "" {
		opts = append(opts, registry.WithPrefix(cfg.RedisPrefix))
	}
	return opts
}

// failFast makes a Redis that is down cost each call milliseconds, not seconds: one dial
// per attempt instead of go-redis's five (the cache serves from Postgres meanwhile, but a
// schema change still tries to publish, and /readyz still pings).
func failFast(opts *redis.Options) *redis.Options {
	if opts.DialerRetries == 0 {
		opts.DialerRetries = 1
	}
	return opts
}

// keysClient names the key cache's Redis client after the main one, plus ":keys".
func keysClient(opts redis.Options) *redis.Options {
	opts.ClientName = cmp.Or(opts.ClientName, "forma") + ":keys"
	return &opts
}

// errNotSubscribed reports a Redis that answers while the model cache or the key cache
// is not (yet) subscribed.
var errNotSubscribed = errors.New("model cache or key cache not subscribed to its Redis channel")

// redisCheck is /readyz's Redis check: optional, since without Redis every replica still
// serves, reading versions and models from Postgres.
func (a *App) redisCheck() httpapi.Check {
	return httpapi.Check{Name: "redis",
		Degraded: "Redis is unreachable or the model cache is not subscribed: serving models from Postgres; " +
			"changes made through other replicas are seen within the cache window (FORMA_CACHE_WINDOW), " +
			"and keys revoked or tenants deleted there stop working here within the key cache TTL (FORMA_KEY_CACHE_TTL)",
		Ping: func(ctx context.Context) error {
			if a.Models != nil && !a.Models.Healthy() || a.keys != nil && !a.keys.Healthy() {
				return errNotSubscribed // no ping: a Redis that is down would cost its timeouts
			}
			return a.Redis.Ping(ctx).Err()
		}}
}
