package httpapi

import (
	"strconv"
	"time"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/limits"
	"forma.dev/backend/internal/ratelimit"
)

// Names of the tenant limits in the RateLimit headers.
const (
	ratePolicy        = "tenant"
	concurrencyPolicy = "concurrent"
)

// limitsOf is the request's tenant's effective limits: the defaults (Deps.TenantLimits)
// with the tenant's own, read and cached with the key, over them. No query.
func (a *api) limitsOf(c *gin.Context) limits.Set {
	return a.TenantLimits.Over(PrincipalOf(c).Tenant.Limits)
}

// limitTenant counts the request against its tenant's requests_per_second (shared by the
// replicas through Redis, in process without it) and concurrent_requests (per replica),
// and answers 429 rate_limited past either.
func (a *api) limitTenant(c *gin.Context) {
	eff := a.limitsOf(c)
	id := PrincipalOf(c).Tenant.ID
	if rps := eff[limits.RequestsPerSecond]; rps > 0 && a.TenantLimiter != nil {
		lim := ratelimit.Limit{Burst: int(rps), Rate: int(rps), Period: time.Second}
		// The limit is part of the key: a changed limit starts a bucket of its own, not
		// one still refused (in Redis, and remembered here) under the old.
		key := "tenant:" + strconv.FormatInt(id, 10) + ":" + strconv.FormatInt(rps, 10)
		res := a.TenantLimiter.AllowLeased(c.Request.Context(), key, lim, leaseBatch(rps))
		c.Header("RateLimit-Policy", lim.Policy(ratePolicy))
		c.Header("RateLimit", res.Header(ratePolicy))
		if !res.Allowed {
			if res.Blocked {
				a.log.WarnContext(c.Request.Context(), "tenant: over its requests per second; refusing",
					"tenant", id, "limit", rps, "retry_after", res.RetryAfter)
			}
			a.rateLimited(c, ratePolicy, lim, res, "the tenant sends more than its "+strconv.FormatInt(rps, 10)+
				" requests per second (requests_per_second); try again after Retry-After")
			return
		}
	}
	if max := eff[limits.ConcurrentRequests]; max > 0 {
		n, ok := a.inflight.acquire(id, max)
		if !ok {
			a.rateLimited(c, concurrencyPolicy, ratelimit.Limit{Burst: int(max), Rate: int(max), Period: time.Second},
				ratelimit.Result{RetryAfter: time.Second}, "the tenant has "+strconv.FormatInt(max, 10)+
					" requests in flight on this server already (concurrent_requests); try again after Retry-After")
			return
		}
		c.Set(ctxInflight, n) // a change stream gives its slot back once open (releaseInflight)
		defer func() {
			if !c.GetBool(ctxInflightReleased) {
				n.Add(-1)
			}
		}()
	}
	c.Next()
}

// leaseBatch is how many of a tenant's requests a replica takes from Redis at once: a
// twentieth of a second's worth, so that a replica serving a tenant at its full rate asks
// Redis twenty times a second, and holds at most 50 ms of the tenant's budget unspent.
// A tenant of fewer than 40 requests per second is counted one request at a time.
func leaseBatch(rps int64) int { return int(max(1, rps/20)) }

// effectiveJSON writes every limit by name, null for one without a limit.
type effectiveJSON limits.Set

// MarshalJSON writes the limits in their order.
func (e effectiveJSON) MarshalJSON() ([]byte, error) {
	b := []byte{'{'}
	for i, n := range limits.All() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(strconv.AppendQuote(b, n.Key()), ':')
		if v := e[n]; v > 0 {
			b = strconv.AppendInt(b, v, 10)
		} else {
			b = append(b, "null"...)
		}
	}
	return append(b, '}'), nil
}
