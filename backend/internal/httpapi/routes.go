package httpapi

import (
	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/auth"
)

// routes lists every route of the API. Tenant routes go in the group of the role they
// need: admin ⊃ write ⊃ read.
func (a *api) routes(r *gin.Engine) {
	a.metricsRoutes(r) // first: request metrics cover every route below (metrics.go)
	// Every route below: a query string that cannot be decoded, or a parameter the route
	// does not take, is a 400 (query.go).
	r.Use(a.checkQuery)
	r.GET("/healthz", a.healthz)
	r.GET("/readyz", a.readyz)

	v1 := r.Group("/api/v1")

	platform := v1.Group("/tenants", a.requirePlatformKey)
	platform.POST("", a.createTenant)
	platform.GET("", a.listTenants)
	platform.GET("/:slug", a.getTenant)
	platform.PATCH("/:slug", a.patchTenant)
	platform.DELETE("/:slug", a.deleteTenant)

	t := v1.Group("/t/:tenant", a.requireTenantKey, a.limitTenant)
	admin := t.Group("", a.requireRole(auth.Admin))
	// A custom role reaches the data routes only (whoami, records, openapi.json).
	write := t.Group("", a.requireData(auth.Write))
	read := t.Group("", a.requireData(auth.Read))

	read.GET("", a.whoami)

	admin.POST("/keys", a.createKey)
	admin.GET("/keys", a.listKeys)
	admin.DELETE("/keys/:id", a.revokeKey)

	// Schema engine: models, fields, the schema snapshot, history and drift (schema.go).
	a.schemaRoutes(admin)

	// The tenant's schema changes as they happen (changes.go).
	admin.GET("/changes", a.streamSchema)

	// Webhook subscriptions and their deliveries (webhooks.go).
	a.webhookRoutes(admin)

	// How the tenant's own users' tokens are verified (tokens.go).
	a.tokenRoutes(admin)

	// Records of the tenant's models (records.go), each within the tenant's share of the
	// database (fairshare.go) and its statement timeout (deadline.go).
	a.recordRoutes(read.Group("", a.shareDatabase, a.boundStatements), write.Group("", a.shareDatabase, a.boundStatements))
	// An export holds a slot of the share while it streams; the statement timeout bounds
	// each chunk of its rows, not the whole export (export.go).
	read.GET("/data/:model/export", a.shareDatabase, a.exportRecords)
	read.GET("/openapi.json", a.openAPI)
	// A change stream holds neither a slot of the share nor a statement timeout: it holds
	// no connection while it waits (changes.go).
	read.GET("/data/:model/changes", a.streamChanges)
}
