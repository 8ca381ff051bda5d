package config

import (
	"fmt"
	"strconv"
	"strings"

	"forma.dev/backend/internal/limits"
)

// tenantVar is the variable of a limit's default: FORMA_TENANT_ and its JSON name in
// capitals, e.g. FORMA_TENANT_REQUESTS_PER_SECOND.
func tenantVar(n limits.Name) string { return "FORMA_TENANT_" + strings.ToUpper(n.Key()) }

func init() {
	for _, n := range limits.All() {
		Vars = append(Vars, tenantVar(n))
	}
}

// loadTenant reads the FORMA_TENANT_* defaults of every tenant's limits: each a whole
// number from 0 (no limit) to the limit's maximum.
func (c *Config) loadTenant(getenv func(string) string) error {
	c.TenantLimits = limits.Builtin()
	for _, n := range limits.All() {
		v := strings.TrimSpace(getenv(tenantVar(n)))
		if v == "" {
			continue
		}
		x, err := strconv.ParseInt(v, 10, 64)
		if err != nil || x < 0 || x > n.Max() {
			return fmt.Errorf("%s must be a whole number from 0 (no limit) to %d, not %q", tenantVar(n), n.Max(), v)
		}
		c.TenantLimits[n] = x
	}
	return nil
}
