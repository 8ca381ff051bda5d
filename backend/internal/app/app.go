// Package app builds a running Forma from its configuration: pools, migrations,
// services and the HTTP handler. cmd/forma and in-process tests both start here.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/uptrace/bun"

	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/config"
	"forma.dev/backend/internal/db"
	"forma.dev/backend/internal/httpapi"
	"forma.dev/backend/internal/metrics"
	"forma.dev/backend/internal/migrations"
	"forma.dev/backend/internal/openapi"
	"forma.dev/backend/internal/ratelimit"
	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/tenantref"
	"forma.dev/backend/internal/tokens"
	"forma.dev/backend/internal/webhooks"
	"forma.dev/backend/internal/webui"
)

// App is Forma wired together, ready to serve.
type App struct {
	Config  config.Config
	DB      *bun.DB // the control plane's view of pool
	pool    *db.Pool
	Redis   *redis.Client // nil without REDIS_URL
	Models  *registry.Registry
	Metrics *metrics.Metrics // served at GET /metrics
	// Webhooks is the outbox and its dispatchers (started by Serve).
	Webhooks *webhooks.Service
	Handler  http.Handler
	log      *slog.Logger
	keys     *auth.Store // its subscriber stops in Close
	// Tokens verifies tenants' end-user tokens; its Roles may be replaced before serving.
	Tokens *tokens.Service
	// keysRedis carries the key cache's notices (auth.WithRedis): a client of its own, so
	// that CLIENT LIST tells its subscription from the model cache's.
	keysRedis *redis.Client
}

// New connects to Postgres (and Redis when configured), upgrades the control schema
// and builds the HTTP handler. Close releases what it opened.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if cfg.AdminKey == "" {
		return nil, errors.New("app: no platform key (FORMA_ADMIN_KEY)")
	}
	pool, err := db.OpenWith(ctx, cfg.DatabaseURL, db.Options{Lanes: cfg.DatabaseLanes, LaneWait: cfg.DatabaseLaneWait})
	if err != nil {
		return nil, err
	}
	bdb := pool.Bun
	a := &App{Config: cfg, DB: bdb, pool: pool, log: log}
	if err := migrations.Up(ctx, bdb); err != nil {
		_ = a.Close()
		return nil, err
	}
	checks := []httpapi.Check{{Name: "postgres", Ping: bdb.PingContext}}
	regOpts := cacheOptions(cfg, log)
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			_ = a.Close()
			return nil, fmt.Errorf("parse REDIS_URL: %w", err)
		}
		a.Redis = redis.NewClient(failFast(opts))
		a.keysRedis = redis.NewClient(keysClient(*opts))
		regOpts = append(regOpts, registry.WithRedis(a.Redis))
		checks = append(checks, a.redisCheck())
	}
	a.Models = registry.New(registry.MetaSource{DB: bdb}, regOpts...)
	a.Metrics = metrics.New(pool.PGX, a.Models.Stats)
	a.Models.Start(context.WithoutCancel(ctx)) // runs until Close
	published := func(ctx context.Context, t tenantref.Ref, r *schemasync.Result) {
		if err := a.Models.Published(ctx, t, r.Version, r.Models, r.Roles); err != nil {
			log.Warn("model cache: publish failed; other replicas catch up within the staleness window", "tenant", t.ID, "err", err)
		}
	}
	keys := auth.NewStore(bdb, cfg.KeyCacheTTL, auth.WithRedis(a.keysRedis, cfg.RedisPrefix, log))
	a.keys = keys
	a.Metrics.Gauge("forma_key_cache_entries", "Tenant keys this replica has cached (LRU, at most 10000).",
		func() float64 { return float64(keys.CachedKeys()) })
	stmts := db.NewStatements(pool.PGX, db.DefaultStatements).WithLanes(pool.Lanes)
	if l := pool.Lanes; l != nil {
		a.Metrics.Gauge("forma_database_lane_connections", "Connections open in the tenants' lanes of the pool (FORMA_DATABASE_LANES), all lanes together.",
			func() float64 {
				_, lanes := l.Conns()
				n := 0
				for _, c := range lanes {
					n += c
				}
				return float64(n)
			})
		a.Metrics.Gauge("forma_database_lane_overflows", "Statements that took a shared connection because their lane's were all busy for FORMA_DATABASE_LANE_WAIT (since start).",
			func() float64 { return float64(l.Overflows()) })
	}
	a.Metrics.Gauge("forma_statement_descriptions", "Statement texts of the data API this process knows, prepared or unnamed (LRU, at most 20000).",
		func() float64 { return float64(stmts.Len()) })
	limiter := ratelimit.New(ratelimit.Options{Redis: a.Redis, Prefix: cfg.RedisPrefix, Logger: log})
	a.Webhooks = webhooks.New(bdb.DB, webhooks.Options{Workers: cfg.WebhookWorkers, Retention: cfg.WebhookRetention,
		AllowPrivate: cfg.WebhookAllowPrivate, Logger: log})
	// Key sets (jwks_url) are fetched as webhooks are delivered: through the SSRF guard.
	a.Tokens = tokens.New(bdb, tokens.Options{Client: webhooks.NewClient(10*time.Second, cfg.WebhookAllowPrivate),
		Keys: keys, CacheTTL: cfg.KeyCacheTTL, Roles: catalogRoles{catalog{a.Models}}, Logger: log})
	keys.Start(context.WithoutCancel(ctx)) // after tokens.New, which hears its notices (OnForget); runs until Close
	a.Metrics.Gauge("forma_token_cache_entries", "Verified end-user tokens this replica has cached (LRU, at most 10000).",
		func() float64 { return float64(a.Tokens.CachedTokens()) })
	a.Metrics.Gauge("forma_token_tenant_cache_entries", "Tenants whose token settings this replica has cached (LRU, at most 10000).",
		func() float64 { return float64(a.Tokens.CachedTenants()) })
	a.Handler = httpapi.New(httpapi.Deps{
		Tenants:  tenant.NewService(bdb, keys),
		Keys:     keys,
		Schema:   schemasync.New(bdb, schemasync.WithCommitted(published), schemasync.WithHook(a.Webhooks.SchemaHook)),
		Records:  &records.Service{DB: pool.PGX, Statements: stmts, Catalog: catalog{a.Models}, Events: a.Webhooks, SeparateCommits: !cfg.GroupCommit, TotalExactMax: cfg.TotalExactMax},
		OpenAPI:  openapi.NewCache(openapi.CacheDocuments),
		UI:       webui.Handler(),
		AdminKey: cfg.AdminKey,
		Checks:   checks,
		Logger:   log,
		Metrics:  a.Metrics,
		Cache:    a.Models.Stats,
		Webhooks: a.Webhooks,

		AuthLimiter:    limiter,
		AuthFail:       ratelimit.Limit{Burst: cfg.AuthFail.Burst, Rate: cfg.AuthFail.Rate, Period: cfg.AuthFail.Period},
		TrustedProxies: cfg.TrustedProxyList(),

		TenantLimits:  cfg.TenantLimits,
		TenantLimiter: ratelimit.New(ratelimit.Options{Redis: a.Redis, Prefix: cfg.RedisPrefix, Logger: log}),
		Tokens:        a.Tokens,

		ImportMaxBytes: cfg.Import.MaxBytes,
		ImportMaxRows:  importRows(cfg.Import.MaxRows),
	})
	return a, nil
}

// Serve answers HTTP on ln until ctx is done, then lets in-flight requests finish
// within Config.ShutdownTimeout.
func (a *App) Serve(ctx context.Context, ln net.Listener) error {
	srv := newServer(a.Handler, a.Config.Server, a.log) // server.go: limits on slow clients
	ln = limitConns(ln, a.Config.Server.MaxConns, a.Config.Server.MaxConnsPerIP)
	dispatchCtx, stopDispatch := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { a.Webhooks.Run(dispatchCtx); close(dispatched) }() // webhook workers, until shutdown
	defer func() { stopDispatch(); <-dispatched }()
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down", "grace", a.Config.ShutdownTimeout)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), a.Config.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-served; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close releases the pools.
func (a *App) Close() error {
	var errs []error
	if a.Models != nil {
		a.Models.Close()
	}
	if a.keys != nil {
		a.keys.Close()
	}
	if a.keysRedis != nil {
		errs = append(errs, a.keysRedis.Close())
	}
	if a.Redis != nil {
		errs = append(errs, a.Redis.Close())
	}
	errs = append(errs, a.pool.Close())
	return errors.Join(errs...)
}

// importRows is FORMA_IMPORT_MAX_ROWS as httpapi.Deps takes it: 0 (no bound) is -1.
func importRows(n int64) int64 {
	if n == 0 {
		return -1
	}
	return n
}
