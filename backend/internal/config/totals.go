package config

import (
	"fmt"
	"strconv"
	"strings"
)

// DefaultTotalExactMax is the default FORMA_TOTAL_EXACT_MAX.
const DefaultTotalExactMax = 10_000

// loadTotals reads FORMA_TOTAL_EXACT_MAX: how many records a list's total
// (?total=true) counts exactly before it answers the planner's estimate.
func (c *Config) loadTotals(getenv func(string) string) error {
	c.TotalExactMax = DefaultTotalExactMax
	if v := strings.TrimSpace(getenv("FORMA_TOTAL_EXACT_MAX")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > 1_000_000_000 {
			return fmt.Errorf("FORMA_TOTAL_EXACT_MAX must be a number of records from 1 to 1000000000, not %q", v)
		}
		c.TotalExactMax = n
	}
	return nil
}
