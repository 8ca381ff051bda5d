package httpapi

import (
	"net/http"
	"net/netip"
	"strings"

	"github.com/gin-gonic/gin"

	"forma.dev/backend/internal/apperr"
	"forma.dev/backend/internal/auth"
	"forma.dev/backend/internal/ratelimit"
)

// authPolicy names the failed-authentication limit in the RateLimit headers.
const authPolicy = "auth"

// clientKey is the limiter key of the request's client address: c.ClientIP(), which
// believes X-Forwarded-For only from FORMA_TRUSTED_PROXIES. An IPv6 client counts by
// its /64, the block one host is usually given.
func clientKey(c *gin.Context) string {
	ip := c.ClientIP()
	if a, err := netip.ParseAddr(ip); err == nil && a.Is6() && !a.Is4In6() {
		if p, err := a.Prefix(64); err == nil {
			ip = p.String()
		}
	}
	return "authfail:ip:" + ip
}

// prefixKey is the limiter key of a presented tenant key's lookup id (the non-secret
// part of fk_<lookup id>_<secret>), or "" when it has none.
func prefixKey(key string) string {
	if lookup, ok := auth.LookupID(key); ok {
		return "authfail:key:" + strings.ToLower(lookup)
	}
	return ""
}

// authBlocked answers 429 when the request's client address is refused for failing to
// authenticate too often. It costs no Redis round trip: the refusal is remembered here.
func (a *api) authBlocked(c *gin.Context) bool {
	if a.AuthLimiter == nil || !a.AuthFail.Enabled() {
		return false
	}
	if d, ok := a.AuthLimiter.Blocked(clientKey(c)); ok {
		a.tooManyFailures(c, ratelimit.Result{RetryAfter: d})
		return true
	}
	return false
}

// authFailed answers a request whose key or token did not authenticate: err itself (401), or
// 429 when the failure is one too many for the client address or for the key prefix.
// Only failures are counted, so a good key never waits on the limiter.
func (a *api) authFailed(c *gin.Context, key string, err error) {
	if e := apperr.As(err); a.AuthLimiter == nil || !a.AuthFail.Enabled() || e == nil || Status(e.Code) != http.StatusUnauthorized {
		a.fail(c, err)
		return
	}
	ctx := c.Request.Context()
	for _, k := range []string{clientKey(c), prefixKey(key)} {
		if k == "" {
			continue
		}
		if res := a.AuthLimiter.Allow(ctx, k, a.AuthFail); !res.Allowed {
			if res.Blocked { // once per burst, not once per request; never the key's secret
				a.log.WarnContext(ctx, "auth: too many failed authentications; refusing",
					"limit", k, "client", c.ClientIP(), "retry_after", res.RetryAfter)
			}
			a.tooManyFailures(c, res)
			return
		}
	}
	a.fail(c, err)
}

// tooManyFailures answers 429 rate_limited with Retry-After and the RateLimit headers.
func (a *api) tooManyFailures(c *gin.Context, res ratelimit.Result) {
	a.rateLimited(c, authPolicy, a.AuthFail, res,
		"too many failed authentications from this address or with this key; try again after Retry-After")
}

// rateLimited answers 429 rate_limited past limit lim named policy, with Retry-After and
// the RateLimit headers of res.
func (a *api) rateLimited(c *gin.Context, policy string, lim ratelimit.Limit, res ratelimit.Result, detail string) {
	c.Header("RateLimit-Policy", lim.Policy(policy))
	c.Header("RateLimit", res.Header(policy))
	a.fail(c, &apperr.Error{Code: apperr.RateLimited, RetryAfter: res.RetryAfter, Detail: detail})
}
