package httpapi

import (
	"net/http"
	"sort"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/tenant"
	"forma.dev/shared/problem"
)

// createTenantBody is the body of POST /api/v1/tenants.
type createTenantBody struct {
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// createTenant makes a tenant, its schema and its first admin key (shown once).
func (a *api) createTenant(c *gin.Context) {
	var body createTenantBody
	if err := bindJSON(c, &body); err != nil {
		a.fail(c, err)
		return
	}
	created, err := a.Tenants.Create(c.Request.Context(), body.Slug, body.Name)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("Location", "/api/v1/tenants/"+created.Tenant.Slug)
	c.JSON(http.StatusCreated, gin.H{"tenant": created.Tenant, "key": newKeyJSON(created.AdminKey, created.Plain)})
}

// listTenants lists every tenant.
func (a *api) listTenants(c *gin.Context) {
	tenants, err := a.Tenants.List(c.Request.Context())
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, gin.H{"data": tenants})
}

// tenantJSON is a tenant as its routes show it: with its effective limits (null: no
// limit) and, among them, its own (the others are the defaults).
type tenantJSON struct {
	tenant.Tenant
	Limits    effectiveJSON `json:"limits"`
	OwnLimits limits.Set    `json:"own_limits"`
}

func (a *api) tenantJSON(t tenant.Tenant) tenantJSON {
	return tenantJSON{Tenant: t, Limits: effectiveJSON(a.TenantLimits.Over(t.Limits)), OwnLimits: t.Limits}
}

// getTenant shows one tenant with its limits.
func (a *api) getTenant(c *gin.Context) {
	t, err := a.Tenants.Get(c.Request.Context(), c.Param("slug"))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.tenantJSON(t))
}

// patchTenant changes the tenant's own limits: {"limits": {"<name>": n or null}}; null
// puts a limit back to its default.
func (a *api) patchTenant(c *gin.Context) {
	body, err := decodeObject(c, `{"limits": {...}}`)
	if err != nil {
		a.fail(c, err)
		return
	}
	var probs problem.List
	for k := range body {
		if k != "limits" {
			probs.Add(k, problem.UnknownField, nil)
		}
	}
	var p limits.Patch
	if v, ok := body["limits"]; !ok {
		probs.Add("limits", problem.Required, nil)
	} else {
		var more problem.List
		p, more = limits.ParsePatch("limits", v)
		probs = append(probs, more...)
	}
	if len(probs) > 0 {
		a.fail(c, apperr.Validation("the change of the tenant is not valid", probs))
		return
	}
	t, err := a.Tenants.SetLimits(c.Request.Context(), c.Param("slug"), p)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, a.tenantJSON(t))
}

// deleteTenant drops a tenant and all its data; ?confirm= must repeat the slug.
func (a *api) deleteTenant(c *gin.Context) {
	slug := c.Param("slug")
	if err := a.Tenants.Delete(c.Request.Context(), slug, c.Query("confirm")); err != nil {
		a.fail(c, err)
		return
	}
	c.Status(http.StatusNoContent)
}

// whoami shows the tenant and the key a request authenticated with, the tenant's
// limits and its usage. A custom role sees only the tenant's slug and name, its key's id
// (a key's; none for a token) and role, and the models its rules name: nothing of the
// tenant's internals (id, schema, limits, usage) nor of the models it cannot use.
func (a *api) whoami(c *gin.Context) {
	p := PrincipalOf(c)
	ctx := c.Request.Context()
	ts, err := a.Records.Catalog.Get(ctx, schemaTenant(c), 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	if !p.Role.BuiltIn() {
		role := ts.Roles[string(p.Role)]
		models := []string{}
		for name := range ts.ByName {
			if role != nil && len(role.Permissions[name]) > 0 {
				models = append(models, name)
			}
		}
		sort.Strings(models)
		key := gin.H{"role": p.Role}
		if p.KeyID != 0 {
			key["id"] = p.KeyID
		}
		c.JSON(http.StatusOK, gin.H{
			"tenant": gin.H{"slug": p.Tenant.Slug, "name": p.Tenant.Name},
			"key":    key,
			"models": models,
		})
		return
	}
	u, err := a.Tenants.Usage(ctx, schemaTenant(c))
	if err != nil {
		a.fail(c, err)
		return
	}
	rows := make(map[string]*int64, len(ts.ByName))
	for name := range ts.ByName {
		if n, ok := u.Rows[name]; ok && n >= 0 {
			rows[name] = &n
		} else {
			rows[name] = nil // never analyzed yet: no estimate
		}
	}
	c.JSON(http.StatusOK, gin.H{
		"tenant":     TenantOf(c),
		"key":        gin.H{"id": p.KeyID, "role": p.Role},
		"limits":     effectiveJSON(a.limitsOf(c)),
		"own_limits": p.Tenant.Limits,
		"usage": gin.H{"models": len(ts.ByName), "rows_per_model": rows,
			"storage_bytes": u.StorageBytes, "measured_at": u.MeasuredAt},
	})
}
