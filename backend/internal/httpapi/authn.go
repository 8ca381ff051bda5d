package httpapi

import (
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/tenant"
)

// Keys of the values the auth middleware stores in the gin context.
const (
	ctxTenant    = "forma.tenant"
	ctxPrincipal = "forma.principal"
)

// TenantOf returns the tenant of a request on a /api/v1/t/:tenant route; the middleware
// has checked that the request's key belongs to it.
func TenantOf(c *gin.Context) tenant.Tenant {
	t, _ := c.Get(ctxTenant)
	v, _ := t.(tenant.Tenant)
	return v
}

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
	case auth.IsPlatformKey(key, a.AdminKey):
		c.Set(ctxPrincipal, auth.Principal{Platform: true})
		c.Next()
	default:
		if _, err := a.Keys.Authenticate(c.Request.Context(), key); err == nil {
			a.fail(c, apperr.New(apperr.Forbidden, "tenant keys cannot manage tenants; use the platform key"))
			return
		}
		a.fail(c, apperr.New(apperr.Unauthorized, "the API key is not valid"))
	}
}

// requireTenantKey admits only keys of the route's tenant and puts the tenant and the
// principal in the context. A key of another tenant sees the same 404 as a tenant that
// does not exist, so no key learns anything about other tenants.
func (a *api) requireTenantKey(c *gin.Context) {
	key := bearer(c)
	if key == "" {
		a.fail(c, errNoKey())
		return
	}
	if auth.IsPlatformKey(key, a.AdminKey) {
		a.fail(c, apperr.New(apperr.Forbidden, "the platform key has no access to tenant routes; use a key of the tenant"))
		return
	}
	ctx := c.Request.Context()
	p, err := a.Keys.Authenticate(ctx, key)
	if err != nil {
		a.fail(c, err)
		return
	}
	t, err := a.Tenants.Get(ctx, c.Param("tenant"))
	if err == nil && t.ID != p.TenantID {
		err = apperr.New(apperr.NotFound, "no such tenant")
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Set(ctxTenant, t)
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
