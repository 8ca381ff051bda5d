package httpapi

import (
	"time"

	"github.com/gin-gonic/gin"
)

// metricsRoutes counts every request registered after it (and unmatched ones) and
// serves GET /metrics, when Deps.Metrics is set.
func (a *api) metricsRoutes(r *gin.Engine) {
	if a.Metrics == nil {
		return
	}
	r.Use(a.countRequests)
	r.GET("/metrics", gin.WrapH(a.Metrics.Handler()))
}

// countRequests observes each request under its route pattern (c.FullPath(), never the
// raw path, so the number of series stays bounded). A panic passing through counts as
// the 500 that recoverPanics answers.
func (a *api) countRequests(c *gin.Context) {
	start, done := time.Now(), false
	defer func() {
		status := c.Writer.Status()
		if !done {
			status = 500
		}
		a.Metrics.ObserveRequest(c.Request.Method, c.FullPath(), status, time.Since(start))
	}()
	c.Next()
	done = true
}
