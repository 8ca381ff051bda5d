package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/openapi"
)

// openAPI serves the OpenAPI 3.1 document of the tenant's data API, built once per
// schema version.
func (a *api) openAPI(c *gin.Context) {
	t := TenantOf(c)
	ts, err := a.Records.Catalog.Get(c.Request.Context(), schemaTenant(c), 0)
	if err != nil {
		a.fail(c, err)
		return
	}
	doc, err := a.OpenAPI.Get(t.ID, ts.Version, func() ([]byte, error) {
		return openapi.Document(openapi.Info{Tenant: t.Slug, Version: ts.Version}, openapi.ModelsOf(ts))
	})
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header("ETag", strconv.Quote(strconv.FormatInt(ts.Version, 10)))
	c.Header(SchemaVersionHeader, strconv.FormatInt(ts.Version, 10))
	c.Data(http.StatusOK, "application/json", doc)
}
