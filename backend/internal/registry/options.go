package registry

import (
	"log/slog"
	"time"

	"github.com/redis/go-redis/v9"

	"forma.dev/backend/internal/lru"
)

// Option configures a Registry.
type Option func(*Registry)

// WithRedis shares versions, snapshots and invalidations through rdb (nil: in-process only).
func WithRedis(rdb *redis.Client) Option { return func(r *Registry) { r.rdb = rdb } }

// WithSize bounds the cache to n tenants (default 1000; FORMA_CACHE_TENANTS in config).
func WithSize(n int) Option { return func(r *Registry) { r.cache = lru.New[int64, *entry](n) } }

// WithWindow sets how long an entry is used before its version is re-checked against
// Postgres (default 2s): the longest a model can stay stale if every hint was lost.
func WithWindow(d time.Duration) Option { return func(r *Registry) { r.window = d } }

// WithSnapshotTTL sets how long Redis keeps version hints and snapshots (default 24h).
func WithSnapshotTTL(d time.Duration) Option { return func(r *Registry) { r.ttl = d } }

// WithPrefix sets the prefix of Redis keys and of the channel (default "forma:"; the
// channel is prefix+"schema"). Tests use a random one each.
func WithPrefix(p string) Option { return func(r *Registry) { r.prefix = p } }

// WithLogger sets where Redis trouble is logged (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.log = l } }
