package config

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// Defaults of the failed-authentication limit.
const (
	// DefaultAuthFailBurst is the default FORMA_AUTH_FAIL_BURST.
	DefaultAuthFailBurst = 10
	// DefaultAuthFailRate is the default FORMA_AUTH_FAIL_RATE.
	DefaultAuthFailRate = "1/s"
)

// AuthFailLimit is how many failed authentications one client address, or one key
// prefix, may make: Burst at once, then Rate per Period. Burst 0 turns the limit off.
type AuthFailLimit struct {
	Burst  int
	Rate   int
	Period time.Duration
}

// loadAuth reads FORMA_AUTH_FAIL_BURST, FORMA_AUTH_FAIL_RATE and FORMA_TRUSTED_PROXIES.
func (c *Config) loadAuth(getenv func(string) string) error {
	c.AuthFail = AuthFailLimit{Burst: DefaultAuthFailBurst}
	if v := strings.TrimSpace(getenv("FORMA_AUTH_FAIL_BURST")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return fmt.Errorf("FORMA_AUTH_FAIL_BURST must be a number of failures (0 turns the limit off), not %q", v)
		}
		c.AuthFail.Burst = n
	}
	var err error
	if c.AuthFail.Rate, c.AuthFail.Period, err = parseRate(or(getenv("FORMA_AUTH_FAIL_RATE"), DefaultAuthFailRate)); err != nil {
		return fmt.Errorf("FORMA_AUTH_FAIL_RATE: %w", err)
	}
	c.TrustedProxies = strings.TrimSpace(getenv("FORMA_TRUSTED_PROXIES"))
	for _, p := range c.TrustedProxyList() {
		if _, err := netip.ParsePrefix(p); err != nil {
			if _, err := netip.ParseAddr(p); err != nil {
				return fmt.Errorf("FORMA_TRUSTED_PROXIES: %q is neither an address nor a CIDR", p)
			}
		}
	}
	return nil
}

// TrustedProxyList is FORMA_TRUSTED_PROXIES as a list; empty trusts no proxy.
func (c Config) TrustedProxyList() []string {
	var out []string
	for _, p := range strings.Split(c.TrustedProxies, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// parseRate reads "N/s", "N/m" or "N/h": N events per second, minute or hour.
func parseRate(v string) (int, time.Duration, error) {
	n, unit, ok := strings.Cut(v, "/")
	periods := map[string]time.Duration{"s": time.Second, "m": time.Minute, "h": time.Hour}
	rate, err := strconv.Atoi(strings.TrimSpace(n))
	period, known := periods[strings.TrimSpace(unit)]
	if !ok || err != nil || rate < 1 || !known {
		return 0, 0, fmt.Errorf("must be a rate such as 1/s, 30/m or 100/h, not %q", v)
	}
	return rate, period, nil
}
