package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/db"
)

// healthz answers while the process runs (liveness).
func (a *api) healthz(c *gin.Context) {
	c.JSON(http.StatusOK, gin.H{"status": "ok"})
}

// readyz pings every dependency and answers 503, a problem document with the same
// "checks" and a Retry-After, when one is down (readiness); an optional one (Check.Degraded) that is down
// makes the status "degraded", still 200. The model cache's mode and health are shown
// under "cache". Errors are logged, not shown: they may name hosts and users.
func (a *api) readyz(c *gin.Context) {
	ctx, cancel := context.WithTimeout(c.Request.Context(), 2*time.Second)
	defer cancel()
	status, checks, overall := http.StatusOK, gin.H{}, "ok"
	for _, ch := range a.Checks {
		start := time.Now()
		if err := ch.Ping(ctx); err != nil {
			if ch.Degraded != "" { // optional: the service keeps serving without it
				a.log.WarnContext(ctx, "degraded", "dependency", ch.Name, "err", err)
				checks[ch.Name], overall = gin.H{"status": "degraded", "detail": ch.Degraded}, "degraded"
				continue
			}
			a.log.WarnContext(ctx, "not ready", "dependency", ch.Name, "err", err)
			checks[ch.Name] = gin.H{"status": "unavailable"}
			status = http.StatusServiceUnavailable
			continue
		}
		checks[ch.Name] = gin.H{"status": "ok", "latency_ms": time.Since(start).Milliseconds()}
	}
	if status != http.StatusOK {
		a.fail(c, (&apperr.Error{Code: apperr.Unavailable, Detail: "a dependency is unavailable", RetryAfter: db.RetryAfter}).With("checks", checks))
		return
	}
	body := gin.H{"status": overall, "checks": checks}
	if a.Cache != nil {
		st := a.Cache()
		body["cache"] = gin.H{"mode": st.Mode, "healthy": st.Healthy, "entries": st.Entries}
	}
	c.JSON(status, body)
}
