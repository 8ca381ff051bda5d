package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/openapi"
	"forma.dev/shared/access"
)

// openAPI serves the OpenAPI 3.1 document of the tenant's data API, built once per
// schema version, and for a custom role once per version and role: what its rules allow.
func (a *api) openAPI(c *gin.Context) {
	t := TenantOf(c)
	ts, err := a.Records.Catalog.Get(c.Request.Context(), schemaTenant(c), 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	info := openapi.Info{Tenant: t.Slug, Version: ts.Version}
	var doc []byte
	if p := PrincipalOf(c); !p.Role.BuiltIn() {
		role := string(p.Role)
		doc, err = a.OpenAPI.GetFor(t.ID, role, ts.Version, func() ([]byte, error) {
			stored := ts.Roles[role]
			if stored == nil {
				stored = &access.Stored{}
			}
			return openapi.DocumentFor(info, openapi.ModelsOf(ts), stored)
		})
	} else {
		doc, err = a.OpenAPI.Get(t.ID, ts.Version, func() ([]byte, error) {
			return openapi.Document(info, openapi.ModelsOf(ts))
		})
	}
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(ts.Version, 10)))
	c.Header(SchemaVersionHeader, strconv.FormatInt(ts.Version, 10))
	c.Data(http.StatusOK, "application/json", doc)
}
