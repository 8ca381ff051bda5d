package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/tenant"
	"forma.dev/backend/internal/tenantref"
)

// ctxPrincipal is the key of the principal the auth middleware stores in the gin context.
const ctxPrincipal = "forma.principal"

// TenantOf returns the tenant of a request on a /api/v1/t/:tenant route; the middleware
// has checked that the request's key belongs to it. The tenant was read with the key.
func TenantOf(c *gin.Context) tenant.Tenant {
	p := PrincipalOf(c)
	return tenant.Tenant{ID: p.Tenant.ID, Slug: p.Tenant.Slug, Name: p.Tenant.Name,
		SchemaName: p.Tenant.Schema, CreatedAt: p.Tenant.CreatedAt}
}

// schemaTenant is the request's tenant as the schema engine and the data API name it:
// its id and its Postgres schema.
func schemaTenant(c *gin.Context) tenantref.Ref { return PrincipalOf(c).Tenant.Ref }

// PrincipalOf returns who the request authenticated as (the zero value on open routes).
func PrincipalOf(c *gin.Context) auth.Principal {
	p, _ := c.Get(ctxPrincipal)
	v, _ := p.(auth.Principal)
	return v
}

// bearer returns the key of "Authorization: Bearer <key>", or "".
func bearer(c *gin.Context) string {
	scheme, key, ok := strings.Cut(c.GetHeader("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return ""
	}
	return strings.TrimSpace(key)
}

func errNoKey() error {
	return apperr.New(apperr.Unauthorized, "an API key is required: Authorization: Bearer <key>")
}

// requirePlatformKey admits only the platform key (FORMA_ADMIN_KEY).
func (a *api) requirePlatformKey(c *gin.Context) {
	key := bearer(c)
	switch {
	case key == "":
		a.fail(c, errNoKey())
	case a.authBlocked(c):
	case auth.IsPlatformKey(key, a.AdminKey):
		c.Set(ctxPrincipal, auth.Principal{Platform: true})
		c.Next()
	default:
		if _, err := a.Keys.Authenticate(c.Request.Context(), key); err == nil {
			a.fail(c, apperr.New(apperr.Forbidden, "tenant keys cannot manage tenants; use the platform key"))
			return
		}
		a.authFailed(c, key, apperr.New(apperr.Unauthorized, "the API key is not valid"))
	}
}

// requireTenantKey admits only keys of the route's tenant and puts the principal, with
// its tenant, in the context. A key of another tenant sees the same 404 as a tenant that
// does not exist, so no key learns anything about other tenants. The key's tenant comes
// from the key lookup (cached with it), so the tenant costs no query of its own.
func (a *api) requireTenantKey(c *gin.Context) {
	if a.endUserToken(c) { // a JWT: one of the tenant's own users (tokens.go)
		return
	}
	key := bearer(c)
	if key == "" {
		a.fail(c, errNoKey())
		return
	}
	if a.authBlocked(c) {
		return
	}
	if auth.IsPlatformKey(key, a.AdminKey) {
		a.fail(c, apperr.New(apperr.Forbidden, "the platform key has no access to tenant routes; use a key of the tenant"))
		return
	}
	p, err := a.Keys.Authenticate(c.Request.Context(), key)
	if err != nil {
		a.authFailed(c, key, err)
		return
	}
	if p.Tenant.Slug != c.Param("tenant") {
		a.fail(c, apperr.New(apperr.NotFound, "no such tenant"))
		return
	}
	c.Set(ctxPrincipal, p)
	c.Next()
}

// requireRole admits keys whose role includes need.
func (a *api) requireRole(need auth.Role) gin.HandlerFunc {
	return func(c *gin.Context) {
		if p := PrincipalOf(c); !p.Role.Allows(need) {
			a.fail(c, apperr.New(apperr.Forbidden, "this key's role ("+string(p.Role)+") may not do this; it needs "+string(need)))
			return
		}
		c.Next()
	}
}
