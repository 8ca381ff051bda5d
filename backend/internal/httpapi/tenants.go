package httpapi

import (
	"net/http"

	"github.com/gin-gonic/gin"
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

// getTenant shows one tenant.
func (a *api) getTenant(c *gin.Context) {
	t, err := a.Tenants.Get(c.Request.Context(), c.Param("slug"))
	if err != nil {
		a.fail(c, err)
		return
	}
	c.JSON(http.StatusOK, t)
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

// whoami shows the tenant and the key a request authenticated with.
func (a *api) whoami(c *gin.Context) {
	p := PrincipalOf(c)
	c.JSON(http.StatusOK, gin.H{"tenant": TenantOf(c), "key": gin.H{"id": p.KeyID, "role": p.Role}})
}
