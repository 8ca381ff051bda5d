package httpapi

import (
	"net/http"
	"strconv"

	"github.com/gin-gonic/gin"
)

// aggregateRoutes adds the aggregation of a model's records (records.Aggregate), in the
// record routes' group: within the tenant's share of the database and its statement
// timeout, a custom role's list rule applied.
func (a *api) aggregateRoutes(read *gin.RouterGroup) {
	read.GET("/data/:model/aggregate", a.aggregateRecords)
}

func (a *api) aggregateRecords(c *gin.Context) {
	minV, err := minVersion(c)
	if err != nil {
		a.fail(c, err)
		return
	}
	res, err := a.Records.Aggregate(c.Request.Context(), schemaTenant(c), callerOf(c), c.Param("model"), c.Request.URL.Query(), minV)
	if err != nil {
		a.fail(c, err)
		return
	}
	c.Header(SchemaVersionHeader, strconv.FormatInt(res.Version, 10))
	c.Data(http.StatusOK, jsonContentType, res.JSON)
}
