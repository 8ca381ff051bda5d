package config

import (
	"fmt"
	"strconv"
	"strings"
)

// loadCache reads the model cache's settings: FORMA_CACHE_TENANTS and FORMA_CACHE_WINDOW
// (FORMA_REDIS_PREFIX is a plain string, read with the others).
func (c *Config) loadCache(getenv func(string) string) error {
	if v := strings.TrimSpace(getenv("FORMA_CACHE_TENANTS")); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			return fmt.Errorf("FORMA_CACHE_TENANTS must be a positive number of tenants, not %q", v)
		}
		c.CacheTenants = n
	}
	var err error
	if c.CacheWindow, err = parseDuration(getenv, "FORMA_CACHE_WINDOW", c.CacheWindow); err != nil {
		return err
	}
	return nil
}
