// Package httpapi is Forma's HTTP API: gin handlers over the services, one function
// listing every route, errors rendered as RFC 9457 problem documents.
package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/metrics"
	"forma.dev/backend/internal/openapi"
	"forma.dev/backend/internal/ratelimit"
	"forma.dev/backend/internal/records"
	"forma.dev/backend/internal/registry"
	"forma.dev/backend/internal/schemasync"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/tokens"
	"forma.dev/backend/internal/webhooks"
)

// DefaultMaxBodyBytes is the largest request body accepted unless Deps says otherwise.
const DefaultMaxBodyBytes = 10 << 20

// Check is one dependency that /readyz pings.
type Check struct {
	Name string                          // e.g. "postgres"
	Ping func(ctx context.Context) error // nil error: ready
	// Degraded, when set, makes this dependency optional: down, /readyz still answers
	// 200, shows it as "degraded" and gives this sentence as its detail.
	Degraded string
}

// Deps is everything the handlers need; New wires them into routes.
type Deps struct {
	Tenants      *tenant.Service
	Keys         *auth.Store
	AdminKey     string       // FORMA_ADMIN_KEY, the platform key; empty disables platform routes
	Checks       []Check      // pinged by /readyz
	Logger       *slog.Logger // nil: discard
	MaxBodyBytes int64        // 0: DefaultMaxBodyBytes
	// ImportMaxBytes bounds the body of a streamed create (NDJSON or CSV; ingest.go),
	// ImportMaxRows its rows: 0, DefaultImportMaxBytes and DefaultImportMaxRows; -1 for
	// the rows: no bound.
	ImportMaxBytes, ImportMaxRows int64
	// Schema is the schema engine: models, fields, the schema snapshot, drift.
	Schema *schemasync.Engine
	// Records is the data API: records of the tenant's models.
	Records *records.Service
	// Webhooks is the tenant's webhook subscriptions and deliveries; nil: no webhook routes.
	Webhooks *webhooks.Service
	// UI serves the designer for paths outside /api/; nil serves none.
	UI http.Handler
	// OpenAPI caches each tenant's OpenAPI document per schema version.
	OpenAPI *openapi.Cache
	// Metrics serves GET /metrics and counts requests by route (metrics.go); nil: neither.
	Metrics *metrics.Metrics
	// Cache reports the model cache for /readyz detail; nil: no cache detail.
	Cache func() registry.Stats
	// AuthLimiter counts failed authentications per client address and per key prefix,
	// against AuthFail; nil (or a disabled AuthFail) counts nothing.
	AuthLimiter *ratelimit.Limiter
	AuthFail    ratelimit.Limit
	// TrustedProxies lists the proxies (addresses or CIDRs) whose X-Forwarded-For or
	// X-Real-IP gives the client address; empty trusts none and uses the peer's address.
	TrustedProxies []string
	// TenantLimits is every tenant's limits unless it has its own (FORMA_TENANT_*);
	// 0, as in the zero value, is no limit.
	TenantLimits limits.Set
	// TenantLimiter counts each tenant's requests against its requests_per_second; nil
	// counts nothing.
	TenantLimiter *ratelimit.Limiter
	// Tokens verifies the end-user tokens of tenants that accept them and keeps their
	// settings; nil: no tokens, no /auth routes.
	Tokens *tokens.Service
}

// api holds the handlers' dependencies; its methods are the handlers.
type api struct {
	Deps
	log      *slog.Logger
	inflight *inflight  // each tenant's requests in flight, against concurrent_requests
	quotas   *quotas    // each limited tenant's rows per model, against rows_per_model and storage_bytes
	share    *fairShare // each tenant's share of the database, against database_connections
}

// New returns the HTTP handler of the whole API.
func New(d Deps) http.Handler {
	gin.SetMode(gin.ReleaseMode)
	a := &api{Deps: d, log: d.Logger, inflight: newInflight(), share: newFairShare()}
	if d.Tenants != nil {
		a.quotas = newQuotas(d.Tenants)
	}
	if a.log == nil {
		a.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if a.MaxBodyBytes <= 0 {
		a.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if a.ImportMaxBytes <= 0 {
		a.ImportMaxBytes = DefaultImportMaxBytes
	}
	if a.ImportMaxRows == 0 {
		a.ImportMaxRows = DefaultImportMaxRows
	}
	r := gin.New()
	// gin trusts every proxy unless told otherwise, which would let any client choose
	// the address its failed authentications are counted under.
	if err := r.SetTrustedProxies(d.TrustedProxies); err != nil {
		a.log.Error("trusted proxies refused; trusting none", "err", err)
		_ = r.SetTrustedProxies(nil)
	}
	r.HandleMethodNotAllowed = true
	r.ContextWithFallback = true
	r.Use(a.recoverPanics, a.logRequests, a.limitBody)
	r.NoRoute(a.noRoute)
	r.NoMethod(a.noMethod)
	a.routes(r)
	if a.Metrics != nil {
		a.Metrics.Gauge("forma_tenant_inflight_entries", "Tenants whose requests in flight this replica counts (LRU, at most 10000).",
			func() float64 { return float64(a.inflight.len()) })
		a.Metrics.Gauge("forma_tenant_dbshare_entries", "Tenants whose share of the database this replica keeps (LRU, at most 10000).",
			func() float64 { return float64(a.share.len()) })
		if a.TenantLimiter != nil {
			a.Metrics.Gauge("forma_tenant_ratelimit_entries", "Tenant request buckets this replica keeps (LRU, at most 10000).",
				func() float64 { return float64(a.TenantLimiter.Len()) })
		}
		if a.Tenants != nil {
			a.Metrics.Gauge("forma_tenant_usage_cache_entries", "Tenants whose measured usage this replica caches (LRU, at most 1000).",
				func() float64 { return float64(a.Tenants.UsageCached()) })
			a.Metrics.Gauge("forma_tenant_quota_entries", "Tenants whose rows per model this replica keeps for their quotas (LRU, at most 10000).",
				func() float64 { return float64(a.quotas.len()) })
		}
	}
	return r
}
